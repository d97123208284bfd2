"""
### 账号检查 · Account review

**制度依据 / Policy:** v2 §3.1（账号申请三个工作日内审核、密码至少每 90 天更换、离职调岗及时停用或调整）；
v1 §2.2（HR 回收离职账号）、§3.1（一部门一账号）、§5.2（定期检查权限）。

**每周一 10:00（北京时间），以及每次通讯录同步之后 / Mondays 10:00 Asia/Shanghai, and after
every directory sync.** 同步触发的运行在下一个工作时段开始时检查 / a run triggered by the sync
reviews at the start of the next working window.

1. 处理员工点击回执（密码确认、IT 的「已审核」）。
2. 花名册与企业微信对账，发现：离职仍启用、调岗未调整部门、未开通或未激活、部门账号无负责人、
   账号申请超过三个工作日未审核、90 天密码确认到期。
3. 每项发现记录在 `account_findings`（首次发现时间、期限、解决时间与方式）；复查不再存在即标记解决。
4. 离职仍启用：仅当 `include/policy.yaml` 的 `wecom_actions.auto_disable_leavers` 为 true 时自动停用
   （记为解决方式）；否则通知行政与 HR 限期处理，逾期升级。

Every finding is recorded with its first-seen time, deadline and resolution. Leavers'
accounts are disabled only when the policy explicitly allows it; otherwise admin and HR are
told, with a deadline, and escalated after it. Non-urgent messages wait for working hours;
retries and clears never message anyone twice.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, assets, default_args


@dag(
    dag_id="account_review",
    dag_display_name="账号检查 · Account review",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 10 * * 1", timezone=TIMEZONE),
        assets=[assets()["directory"]],
    ),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=[DagTag.ACCOUNTS],
    doc_md=__doc__,
)
def account_review():
    @task.sensor(
        task_display_name="等待工作时间 · Wait for working hours",
        poke_interval=300,
        timeout=timedelta(days=10).total_seconds(),
        mode="reschedule",
    )
    def wait_for_working_hours(**context) -> bool:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.accounts import ready_to_review

        return ready_to_review(run_context(context), has_logical_date=context.get("logical_date") is not None)

    @task(task_display_name="处理员工回执 · Record clicks")
    def record_clicks(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.inbox import drain_inbox

        return drain_inbox(run_context(context))

    @task(task_display_name="对账、记录与通知 · Review, record, notify")
    def review_accounts(**context) -> dict[str, int]:
        from wecomply.airflow_glue.hooks import WeComContactsHook
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.accounts import review_context, run_account_review

        ctx = review_context(run_context(context), has_logical_date=context.get("logical_date") is not None)
        return run_account_review(ctx, contacts=lambda: WeComContactsHook().client)

    wait_for_working_hours() >> record_clicks() >> review_accounts()


account_review()
