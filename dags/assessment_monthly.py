"""
### 月度考核 · Monthly assessment

**制度依据 / Policy:** v1 §6.3「每月进行一次全面考核」「连续两次考核不合格」；v2 §7 考核结果反馈给员工。

**每月第一个工作日 09:00（北京时间，按国家法定节假日与调休）评估上个月 /
on the month's first working day at 09:00 Asia/Shanghai (China's calendar, 调休 included),
for the previous month:**
1. 处理员工点击回执，使完成证据是最新的。
2. 按记录的证据为每位员工逐项打分：培训按时完成、消息 24 小时内确认、组织者按时发纪要、
   催办次数、管理员记录的违规；按 `include/policy.yaml` 的权重与合格线计算总分。
3. 连续两次不合格者登记专项再培训（卡片由「定期再培训」DAG 发送与跟进）。
4. 每位员工在应用私聊中收到本人的结果（每人一条送达记录；结果相同者合并为一次接口调用，每次至多 1000 人）；非工作时间不发送，下一个工作日补发。
5. 发布资产 `wecomply_assessment_results`（extra 中含考核月份），月报 DAG 据此运行。

其他日子第一步即跳过。重试、清除或补跑不会重复发送，结果按（员工, 月份）覆盖写入。

Each employee is scored per dimension from recorded evidence, results are stored, two
consecutive fails assign remedial training, everyone gets their own result privately, and
the last task publishes the results Asset the report DAG is scheduled on.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, dag, task

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, assets, default_args

RESULTS = assets()["assessment_results"]


@dag(
    dag_id="assessment_monthly",
    dag_display_name="月度考核 · Monthly assessment",
    schedule=CronTriggerTimetable("0 9 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=[DagTag.ASSESSMENT],
    doc_md=__doc__,
)
def assessment_monthly():
    @task.short_circuit(task_display_name="今天要考核吗 · Assessment day?")
    def assessment_day(**context) -> bool:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.assessment import has_work

        return has_work(run_context(context))

    @task(task_display_name="处理员工回执 · Record clicks")
    def record_clicks(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.inbox import drain_inbox

        return drain_inbox(run_context(context))

    @task(task_display_name="评分并登记再培训 · Score and assign remedial training")
    def score_month(**context) -> dict:
        from airflow.sdk.exceptions import AirflowSkipException

        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.assessment import is_assessment_day, run_assessment

        ctx = run_context(context)
        if not is_assessment_day(ctx):
            raise AirflowSkipException("scored on the month's first working day; this run only sends held results")
        return run_assessment(ctx)

    @task(task_display_name="私下发送个人结果 · Send each result privately", trigger_rule="none_failed")
    def send_results(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.assessment import send_results as send

        return send(run_context(context))

    @task(task_display_name="发布考核结果 · Publish results", outlets=[RESULTS])
    def publish_results(summary: dict, **context) -> dict:
        context["outlet_events"][RESULTS].extra = {"period": summary["period"], "assessed": summary["assessed"]}
        return {"period": summary["period"]}

    scored = score_month()
    sent = send_results()
    assessment_day() >> record_clicks() >> scored >> sent
    sent >> publish_results(scored)


assessment_monthly()
