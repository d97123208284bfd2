"""
### 定期再培训 · Quarterly refresher training

**制度依据 / Policy:** v1 §6「每季度至少进行一次」, §6.1, §6.3; v2 §6.3 — 定期安全培训；
连续两次考核不合格须再培训。

**每天 09:30（北京时间）运行 / runs daily at 09:30 Asia/Shanghai:**
1. 处理员工点击回执：卡片上的「我已完成培训」按钮记为完成证据。
2. 每季度第一个工作日（按国家法定节假日与调休），所有在职员工收到本季度再培训卡片；
   之后按 `include/policy.yaml` 的阶梯提醒，逾期升级给直属上级，再到部门负责人与 HR。
3. 月度考核连续两次不合格者的专项再培训：发卡片、提醒、升级，方式相同。
4. 记录各部门本季度完成率（`training_completion` 表），供月报读取。

非工作时间与节假日不发送；重试、清除或补跑不会重复发送（发件箱去重）。

On the first working day of each quarter every active employee is assigned the refresher;
reminders and escalations follow the policy ladder. Remedial training recorded by the
monthly assessment is tracked the same way. Completion per department is recorded daily.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, dag, task

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, default_args


@dag(
    dag_id="training_quarterly",
    dag_display_name="定期再培训 · Quarterly refresher training",
    schedule=CronTriggerTimetable("30 9 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=[DagTag.TRAINING],
    doc_md=__doc__,
)
def training_quarterly():
    @task(task_display_name="处理员工回执 · Record clicks")
    def record_clicks(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.inbox import drain_inbox

        return drain_inbox(run_context(context))

    @task(task_display_name="季度再培训：派发、提醒与升级 · Refresher: assign, remind, escalate")
    def refresher(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.training import run_periodic_training

        return run_periodic_training(run_context(context))

    @task(task_display_name="专项再培训：发送、提醒与升级 · Remedial: send, remind, escalate")
    def remedial(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.training import run_remedial_training

        return run_remedial_training(run_context(context))

    @task(task_display_name="记录各部门完成率 · Record completion by department")
    def completion(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.training import record_training_completion

        return record_training_completion(run_context(context))

    clicks = record_clicks()
    assigned = refresher()
    clicks >> [assigned, remedial()]
    assigned >> completion()


training_quarterly()
