"""Provider metadata, found by Airflow through the `apache_airflow_provider` entry point.

Registering the `wecom` and `wecom_webhook` connection types gives the Airflow UI a
connection form with labelled fields (see the hooks' `get_ui_field_behaviour`), so nobody
has to guess which field holds the corp id or the secret.
"""

from __future__ import annotations

from typing import Any

import wecomply


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "wecomply",
        "name": "WeComply (企业微信)",
        "description": "WeCom (企业微信) app, contacts and group-robot connections for WeComply.",
        "versions": [wecomply.__version__],
        "connection-types": [
            {"connection-type": "wecom", "hook-class-name": "wecomply.airflow_glue.hooks.WeComHook"},
            {"connection-type": "wecom_contacts", "hook-class-name": "wecomply.airflow_glue.hooks.WeComContactsHook"},
            {"connection-type": "wecom_webhook", "hook-class-name": "wecomply.airflow_glue.hooks.WeComWebhookHook"},
        ],
    }
