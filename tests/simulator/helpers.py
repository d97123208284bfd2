"""Plain-`requests` access to the simulator, as any WeCom client would call it."""

from __future__ import annotations

from typing import Any

import requests

from wecom_simulator import WeComSimulator

SEND = "/cgi-bin/message/send"


def get(sim: WeComSimulator, path: str, **params: Any) -> dict[str, Any]:
    response = requests.get(sim.base_url + path, params=params, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def post(sim: WeComSimulator, path: str, body: dict[str, Any], **params: Any) -> dict[str, Any]:
    response = requests.post(sim.base_url + path, params=params, json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def token(sim: WeComSimulator, secret: str | None = None) -> str:
    reply = get(sim, "/cgi-bin/gettoken", corpid=sim.corp_id, corpsecret=secret or sim.secret)
    assert reply["errcode"] == 0, reply
    return str(reply["access_token"])


def text(touser: str, content: str = "你好", **extra: Any) -> dict[str, Any]:
    return {"touser": touser, "msgtype": "text", "agentid": 1000002, "text": {"content": content}, **extra}


def send(sim: WeComSimulator, tok: str, body: dict[str, Any]) -> dict[str, Any]:
    return post(sim, SEND, body, access_token=tok)


def button_card(touser: str, task_id: str, keys: tuple[str, ...] = ("confirm", "later")) -> dict[str, Any]:
    return {
        "touser": touser,
        "msgtype": "template_card",
        "agentid": 1000002,
        "template_card": {
            "card_type": "button_interaction",
            "main_title": {"title": "请确认", "desc": "考勤异常"},
            "task_id": task_id,
            "button_list": [{"text": f"按钮{i}", "style": 1, "key": key} for i, key in enumerate(keys)],
        },
    }
