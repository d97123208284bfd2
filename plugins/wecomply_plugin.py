"""WeComply's Airflow plugin: serves the WeCom callback receiver in the api-server.

WeCom posts card clicks to https://<airflow-host>/wecomply/wecom/callback (configure that
URL with the Token and EncodingAESKey in 应用管理 → 接收消息 → 设置API接收).
"""

from airflow.plugins_manager import AirflowPlugin

from wecomply.airflow_glue.callback import callback_app


class WeComplyPlugin(AirflowPlugin):
    name = "wecomply"
    fastapi_apps = [
        {"app": callback_app(), "url_prefix": "/wecomply", "name": "WeComply WeCom callback (企业微信回调)"},
    ]
