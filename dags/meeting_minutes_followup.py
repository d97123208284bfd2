"""
### 会议纪要跟进 · Meeting minutes follow-up

**制度依据 / Policy:** v1 §5.1 — 会后 24 小时内通过企业微信发送纪要，参会人确认收到。

**工作日 09:00–18:00 每小时运行 / runs hourly 09:00–18:00 Asia/Shanghai:**
1. 处理员工点击回执：参会人的「确认收到」、组织者的「发送纪要」。
2. 从企业微信会议接口收集会议（组织者为各级负责人、职能人员和以往的组织者；接口只返回本应用创建的会议）；
   手工登记的会议用 `python -m wecomply meetings register ...`。
3. 记录纪要分发：组织者点击卡片上的「发送纪要」，或由 HR/行政**手动触发本 DAG** 并在表单中填写
   会议编号（卡片上的 m12 或企业微信 meetingid）与纪要正文/链接。
4. 会议结束后给组织者发「发送纪要」卡片；24 小时（工作日计时）仍未发送则提醒组织者，再升级给直属上级、
   部门负责人。纪要发出后，每位参会人收到带「确认收到」按钮的纪要卡片；逾期未确认的提醒本人，再告知直属上级。

非工作日与非工作时间不发送（期限、阶梯、工作时间见 `include/policy.yaml` 的 `meetings`）。
重试、清除或补跑不会重复发送（发件箱按 职责/对象/周期/步骤 去重）。

Meetings come from WeCom's meeting API or are registered by hand. Organisers distribute
the minutes with the 「发送纪要」 button on their card, or HR triggers this DAG with the
form (meeting key + minutes). Missing minutes remind the organiser, then escalate;
attendees confirm receipt with a button and are reminded until they do.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, default_args


@dag(
    dag_id="meeting_minutes_followup",
    dag_display_name="会议纪要跟进 · Meeting minutes follow-up",
    schedule=CronTriggerTimetable("0 9-18 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=[DagTag.MEETINGS],
    doc_md=__doc__,
    params={
        "meeting": Param(
            "", type="string", maxLength=128,
            title="会议编号 · Meeting",
            description="只在分发纪要时填写：卡片上的会议编号（如 m12）或企业微信 meetingid。定时运行留空。 / "
            "Only to distribute minutes: the key on the cards (e.g. m12) or the WeCom meetingid.",
        ),
        "minutes": Param(
            "", type="string", maxLength=1000,
            title="纪要正文 · Minutes",
            description="纪要要点（卡片中显示前 300 字）；全文较长时请填写下方链接。 / "
            "The minutes (the card shows the first 300 characters); link the full text below.",
        ),
        "minutes_url": Param(
            "", type="string", maxLength=1000, pattern=r"^(https?://\S+)?$",
            title="纪要链接 · Link to the minutes",
            description="可选：纪要文档链接（http/https）。 / Optional http(s) link to the minutes document.",
        ),
    },
)
def meeting_minutes_followup():
    @task(task_display_name="处理员工回执 · Record clicks")
    def record_clicks(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.inbox import drain_inbox

        return drain_inbox(run_context(context))

    @task(task_display_name="收集企业微信会议 · Collect WeCom meetings")
    def collect_meetings(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.meetings import sync_meetings

        return sync_meetings(run_context(context))

    @task(task_display_name="记录纪要分发 · Record minutes distribution")
    def record_distribution(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.form_values import submitted_form
        from wecomply.flows.meetings import distribute_minutes

        form = submitted_form(context)
        return distribute_minutes(
            run_context(context), meeting=form.get("meeting") or "", minutes=form.get("minutes") or "",
            minutes_url=form.get("minutes_url") or "",
        )

    @task(task_display_name="纪要卡片、提醒与升级 · Minutes cards, reminders, escalations")
    def remind_and_escalate(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.meetings import follow_up_meetings

        return follow_up_meetings(run_context(context))

    record_clicks() >> collect_meetings() >> record_distribution() >> remind_and_escalate()


meeting_minutes_followup()
