"""
### 安全事件上报 · Security incident

**制度依据 / Policy:** v1 §4.3（安全事件报告与处置）、v1 §3（账号被盗或泄密立即上报）。

**上报：手动触发并填写表单 / report: trigger manually with the form** — 事件经过、发生时间、地点、范围、
影响、已采取的措施、涉及人员与部门、报告人。运行立即把事件卡片发给信息安全部门和报告人的部门负责人
（紧急：不受非工作时间与节假日限制），卡片上的「已接手处理」按钮即信息安全部门的确认。

**30 分钟时钟 / the 30-minute clock** — 本 DAG 每 5 分钟自动运行一次（不填表单），处理点击回执：
15 分钟无人接手再提醒信息安全部门，30 分钟（`include/policy.yaml` 的 `incidents.report_within`）
仍无人接手即上报公司领导。同一份报告再次提交（例如报告人重新触发以查看进度）不会重复立案，只会检查时钟。
升级最多晚 5 分钟（调度间隔）；时钟从首次上报的运行时间起算。

**处置清单 / the checklist (v1 §4.3)** — 初步判断 → 应急响应 → 调查分析 → 修复恢复 → 总结报告 → 责任追究，
按顺序逐项记录：`python -m wecomply incident step INC-… initial_judgement --by <userid> --note "…"`；
记录任何一步也视为已接手。最后一步记录后事件关闭。

Trigger with the form to report an incident: information security and the reporter's
department head get it at once, at any hour. Runs every 5 minutes to remind after 15
minutes and escalate to leadership at 30 if nobody from information security has taken it.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, default_args

TEXT = {"type": "string", "maxLength": 2000}


@dag(
    dag_id="security_incident",
    dag_display_name="安全事件上报 · Security incident",
    schedule=CronTriggerTimetable("*/5 * * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=[DagTag.SECURITY],
    doc_md=__doc__,
    params={
        "what": Param("", **TEXT, title="事件经过 · What happened",
                      description="发生了什么（必填）。定时运行留空。 / What happened (required); empty on scheduled runs."),
        "when": Param("", type="string", maxLength=64, title="发生时间 · When",
                      description="YYYY-MM-DD HH:MM（北京时间） / Asia/Shanghai"),
        "where": Param("", type="string", maxLength=255, title="地点 · Where", description="地点或系统 / place or system"),
        "scope": Param("", **TEXT, title="影响范围 · Scope", description="涉及的账号、数据、系统 / accounts, data, systems affected"),
        "impact": Param("", **TEXT, title="影响 · Impact", description="数据泄露、系统故障、业务中断等 / data leak, outage, interruption"),
        "measures": Param("", **TEXT, title="已采取措施 · Measures taken", description="已采取的初步措施 / first measures taken"),
        "people": Param([], type="array", items={"type": "string"}, title="涉及人员 · People involved",
                        description="企业微信账号，每行一个 / WeCom userids, one per line"),
        "department_id": Param(None, type=["null", "integer"], title="涉及部门 · Department", description="部门编号 / department id"),
        "reporter": Param("", type="string", maxLength=64, title="报告人 · Reporter",
                          description="报告人企业微信账号（必填） / the reporter's WeCom userid (required)"),
    },
)
def security_incident():
    @task(task_display_name="处理员工回执 · Record clicks")
    def record_clicks(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.inbox import drain_inbox

        return drain_inbox(run_context(context))

    @task(task_display_name="记录事件报告 · Record the report")
    def record_report(**context) -> dict:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.form_values import submitted_form
        from wecomply.flows.incidents import record_incident

        return record_incident(run_context(context), submitted_form(context))

    @task(task_display_name="通知、计时与升级 · Notify, clock, escalate")
    def notify_and_escalate(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.incidents import watch_incidents

        return watch_incidents(run_context(context))

    record_clicks() >> record_report() >> notify_and_escalate()


security_incident()
