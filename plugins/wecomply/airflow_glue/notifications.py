"""`WeComNotifier` (alias `send_wecom_notification`): tell people in WeCom about runs.

Usable as `on_failure_callback` so admins hear about failed runs in their WeCom group:

    on_failure_callback=send_wecom_notification(markdown="任务 {{ ti.task_id }} 失败")

With `users`, the message goes to those members through the app (wecom_default); without,
to the group robot (wecom_webhook_default).
"""

from __future__ import annotations

from collections.abc import Sequence

from airflow.sdk import BaseNotifier

FAILURE_ALERT_MARKDOWN = (
    "**WeComply 任务失败 / task failed**\n"
    "> 流程 DAG：{{ dag.dag_display_name if dag else '' }} (`{{ dag.dag_id if dag else '' }}`)\n"
    "> 任务 task：{{ task.task_display_name if task else '' }} (`{{ ti.task_id if ti else '' }}`)\n"
    "> 运行 run：{{ run_id }}\n"
    "> 尝试次数 try：{{ ti.try_number if ti else '' }}\n"
    "请在 Airflow 中查看日志并处理。Please check the log in Airflow."
)


class WeComNotifier(BaseNotifier):
    template_fields = ("text", "markdown", "users")

    def __init__(
        self,
        *,
        text: str | None = None,
        markdown: str | None = None,
        users: Sequence[str] = (),
        wecom_conn_id: str = "wecom_default",
        wecom_webhook_conn_id: str = "wecom_webhook_default",
        shared_state: bool = False,
    ) -> None:
        super().__init__()
        if (text is None) == (markdown is None):
            raise ValueError("WeComNotifier needs exactly one of text= or markdown=")
        self.text = text
        self.markdown = markdown
        self.users = list(users)
        self.wecom_conn_id = wecom_conn_id
        self.wecom_webhook_conn_id = wecom_webhook_conn_id
        # Alerts often fire because something is broken (the records DB included), so by
        # default they do not depend on the shared state kept there.
        self.shared_state = shared_state

    def notify(self, context) -> None:
        from wecomply.wecom import messages

        if self.users:
            from wecomply.airflow_glue.hooks import WeComHook

            hook = WeComHook(self.wecom_conn_id, shared_state=self.shared_state)
            payloads = messages.markdowns(self.markdown) if self.markdown is not None else messages.texts(self.text or "")
            for payload in payloads:
                for body in messages.batch_bodies(payload, self.users, agent_id=hook.agent_id()):
                    hook.client.send_message(body)
            return
        from wecomply.airflow_glue.hooks import WeComWebhookHook

        robot = WeComWebhookHook(self.wecom_webhook_conn_id, shared_state=self.shared_state).client
        if self.markdown is not None:
            robot.send_markdown(self.markdown)
        else:
            robot.send_text(self.text or "")


send_wecom_notification = WeComNotifier


def admin_failure_alert() -> WeComNotifier:
    """The failure alert every WeComply DAG sends to the admin group's robot."""
    return WeComNotifier(markdown=FAILURE_ALERT_MARKDOWN)
