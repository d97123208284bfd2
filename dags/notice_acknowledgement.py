"""
### 重要通知确认 · Notices to acknowledge

**制度依据 / Policy:** v1 §3.2（收到消息须确认已阅读并理解）、v1 §7.1（制度修订由 HR 向全员公告）。

**发布：手动触发并填写表单 / publish: trigger manually with the form** — 标题、正文、受众（全体、部门、
标签或人员）、截止时间、是否紧急。受众在发布时解析一次并记录（之后新入职或调入的人不会被追加）。
每位收件人收到同一张带「我已阅读并理解」按钮的卡片（同内容合并发送，每次请求最多 1000 人）。

**跟进：工作日 09:00–17:00 每小时自动运行 / follow-up: hourly 09:00–17:00 Asia/Shanghai** — 同一个 DAG
的定时运行不填表单，只处理尚未全部确认的通知：处理点击回执，按 `include/policy.yaml` 的 `notices` 阶梯
提醒本人，逾期后升级给直属上级、部门负责人，并全部记录。非紧急通知在非工作时间与节假日顺延到下一个工作时段；
紧急通知立即发送。

重试、清除或补跑不会重复发送：同一次运行（同一逻辑时间与标题，或同一 `notice_key`）只发布一次，发件箱按 职责/人员/通知/步骤 去重。

Trigger with the form to publish; the same DAG's hourly scheduled runs (no form) send what is
still owed, remind and escalate until everyone has acknowledged. Urgent notices ignore
quiet hours.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import CronTriggerTimetable, Param, dag, task

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, default_args


@dag(
    dag_id="notice_acknowledgement",
    dag_display_name="重要通知确认 · Notices to acknowledge",
    schedule=CronTriggerTimetable("0 9-17 * * *", timezone=TIMEZONE),
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=[DagTag.NOTICES],
    doc_md=__doc__,
    params={
        "title": Param(
            "", type="string", maxLength=100, title="标题 · Title",
            description="通知标题，例如「关于修订《公司企业微信管理制度》的通知」。定时运行留空。 / The notice's title; "
            "leave empty on scheduled runs.",
        ),
        "body": Param(
            "", type="string", maxLength=1000, title="正文 · Body",
            description="卡片显示前 400 字；全文较长时请附文档链接。 / The card shows the first 400 characters; link long texts.",
        ),
        "audience_all": Param(False, type="boolean", title="全体员工 · Everyone", description="发给全体在职员工 / every active employee"),
        "audience_departments": Param(
            [], type="array", items={"type": "integer"}, title="部门 · Departments",
            description="部门编号（含下级部门） / department ids, sub-departments included",
        ),
        "audience_tags": Param(
            [], type="array", items={"type": "integer"}, title="标签 · Tags", description="企业微信标签编号 / WeCom tag ids",
        ),
        "audience_users": Param(
            [], type="array", items={"type": "string"}, title="人员 · Users",
            description="企业微信账号，每行一个 / WeCom userids, one per line",
        ),
        "deadline": Param(
            "", type="string", title="截止时间 · Deadline",
            description="YYYY-MM-DD HH:MM（北京时间）；留空为发布后 3 个工作日（policy notices.default_deadline） / "
            "Asia/Shanghai; empty = the policy's default",
        ),
        "urgent": Param(False, type="boolean", title="紧急 · Urgent", description="紧急通知不受非工作时间限制 / ignores quiet hours"),
        "notice_key": Param(
            "", type="string", maxLength=40, pattern="^[A-Za-z0-9_-]*$", title="通知编号 · Notice key",
            description="可选；同一编号只发布一次 / optional; a key is published once",
        ),
        "publisher": Param("", type="string", maxLength=64, title="发布人 · Publisher", description="发布人企业微信账号 / publisher's userid"),
    },
)
def notice_acknowledgement():
    @task(task_display_name="处理员工回执 · Record clicks")
    def record_clicks(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.inbox import drain_inbox

        return drain_inbox(run_context(context))

    @task(task_display_name="发布通知 · Publish the notice")
    def publish(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.form_values import submitted_form
        from wecomply.flows.notices import publish_notice

        return publish_notice(run_context(context), submitted_form(context))

    @task(task_display_name="发送、提醒与升级 · Send, remind, escalate")
    def remind_and_escalate(**context) -> dict[str, int]:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.notices import follow_up_notices

        return follow_up_notices(run_context(context))

    record_clicks() >> publish() >> remind_and_escalate()


notice_acknowledgement()
