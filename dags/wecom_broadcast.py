"""
### 企业微信群发 · WeCom broadcast

管理员手动触发：把一条文本或 Markdown 消息发给指定成员（表单填写）。同一次运行无论重试
或清除多少次，每位成员只收到一次；完成后通知管理员群机器人。

An admin triggers it with the form: one text or markdown message to the listed members.
However often the run is retried or cleared, each member receives it once; the admin
group's robot is told when it is done.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, default_args


@dag(
    dag_id="wecom_broadcast",
    dag_display_name="企业微信群发 · WeCom broadcast",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    default_args=default_args(),
    tags=[DagTag.NOTICES],
    doc_md=__doc__,
    params={
        "users": Param(
            [], type="array", items={"type": "string"}, minItems=1, title="接收人 userid / Recipients",
            description="企业微信 userid，每行一个 / WeCom userids, one per line",
        ),
        "message_type": Param(
            "text", enum=["text", "markdown"], title="消息类型 / Message type",
            description="text 为纯文本；markdown 支持加粗、链接等格式（仅企业微信内显示） / plain text, or markdown "
            "(bold, links; rendered in WeCom only)",
        ),
        "content": Param(
            "", type="string", minLength=1, title="内容 / Content",
            description="超过 2048 字节会按行拆成多条 / split at line boundaries beyond 2048 bytes",
        ),
    },
)
def wecom_broadcast():
    from wecomply.airflow_glue.notifications import send_wecom_notification
    from wecomply.airflow_glue.operators import WeComOperator

    WeComOperator(
        task_id="send",
        task_display_name="发送消息 · Send",
        users="{{ params.users | join('|') }}",
        content="{{ params.content }}",
        message_type="{{ params.message_type }}",
        on_success_callback=send_wecom_notification(
            markdown="**群发完成 / broadcast sent**\n> 运行 run：{{ run_id }}\n> 接收人 recipients：{{ params.users | length }}"
        ),
    )


wecom_broadcast()
