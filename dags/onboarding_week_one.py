"""
### 入职一周培训 · Week-one onboarding training

**制度依据 / Policy:** v1 §6, §2.2; v2 §3.1 — 新员工入职后一周内完成企业微信培训。

**每天 09:30（北京时间）运行 / runs daily at 09:30 Asia/Shanghai:**
1. 处理员工点击回执：卡片上的「我已完成培训」按钮记为完成证据。
2. 新员工入职当天收到培训卡片；截止前提醒；逾期后升级给直属上级与 HR，再到部门负责人。

非工作时间与节假日不发送非紧急提醒；期限、阶梯和工作时间在 `include/policy.yaml`。
重试、清除或补跑不会重复发送（发件箱按 职责/人员/周期/步骤 去重）。

New hires get the training card on day 0, reminders before the 7-day deadline, and an
escalation to their direct leader and HR once it passes. Retries, clears and backfills
never message anyone twice.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, dag, task

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, default_args


@dag(
    dag_id="onboarding_week_one",
    dag_display_name="入职一周培训 · Onboarding week one",
    schedule=CronTriggerTimetable("30 9 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=[DagTag.TRAINING],
    doc_md=__doc__,
)
def onboarding_week_one():
    @task(task_display_name="处理员工回执 · Record clicks")
    def record_clicks(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.inbox import drain_inbox

        return drain_inbox(run_context(context))

    @task(task_display_name="派发、提醒与升级 · Assign, remind, escalate")
    def assign_remind_escalate(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.onboarding import run_onboarding

        return run_onboarding(run_context(context))

    record_clicks() >> assign_remind_escalate()


onboarding_week_one()
