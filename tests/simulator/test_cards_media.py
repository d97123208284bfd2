"""Button cards, update_template_card, recall, and media uploads (app and robot)."""

from __future__ import annotations

import pytest
import requests

from tests.simulator.helpers import button_card, post, send, text, token
from wecom_simulator import WeComSimulator

UPDATE = "/cgi-bin/message/update_template_card"


def test_button_card_returns_a_single_use_response_code(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    reply = send(wecom_sim, tok, button_card("lisi|zhaoliu", "ack_2026-03_lisi"))
    assert reply["errcode"] == 0 and reply["response_code"]
    [delivered] = wecom_sim.received("lisi")
    assert delivered["task_id"] == "ack_2026-03_lisi"
    update = {"userids": ["lisi"], "agentid": 1000002, "response_code": reply["response_code"],
              "button": {"replace_name": "已确认"}}
    assert post(wecom_sim, UPDATE, update, access_token=tok)["errcode"] == 0
    assert post(wecom_sim, UPDATE, update, access_token=tok)["errcode"] == 40058  # used
    [change] = wecom_sim.card_updates("ack_2026-03_lisi")
    assert change["replace_name"] == "已确认" and change["userids"] == ["lisi"]
    assert wecom_sim.card_state("ack_2026-03_lisi", "lisi")["replace_name"] == "已确认"
    assert wecom_sim.card_state("ack_2026-03_lisi", "zhaoliu")["updated"] is False


def test_response_code_expires_after_24_hours(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    reply = send(wecom_sim, tok, button_card("lisi", "expiring"))
    wecom_sim.clock.advance(86_400)
    update = {"userids": ["lisi"], "agentid": 1000002, "response_code": reply["response_code"],
              "button": {"replace_name": "已确认"}}
    assert post(wecom_sim, UPDATE, update, access_token=token(wecom_sim))["errcode"] == 40058
    assert wecom_sim.card_updates() == []


def test_update_with_a_whole_new_card(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    reply = send(wecom_sim, tok, button_card("lisi", "replace_me"))
    new_card = {"card_type": "text_notice", "main_title": {"title": "已处理"}, "task_id": "replace_me"}
    body = {"atall": 1, "agentid": 1000002, "response_code": reply["response_code"], "template_card": new_card}
    assert post(wecom_sim, UPDATE, body, access_token=tok)["errcode"] == 0
    assert wecom_sim.card_state("replace_me", "lisi")["template_card"] == new_card
    both = {**body, "button": {"replace_name": "x"}}
    assert post(wecom_sim, UPDATE, both, access_token=tok)["errcode"] == 40058


def test_task_id_must_be_unique_within_the_app(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    assert send(wecom_sim, tok, button_card("lisi", "once"))["errcode"] == 0
    assert send(wecom_sim, tok, button_card("wangwu", "once"))["errcode"] == 40058
    assert wecom_sim.received("wangwu") == []


def test_a_resent_card_inside_the_duplicate_window_is_not_a_task_id_reuse(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    body = {**button_card("lisi", "retry_safe"), "enable_duplicate_check": 1}
    first = send(wecom_sim, tok, body)
    again = send(wecom_sim, tok, body)
    assert again["errcode"] == 0 and again["msgid"] == first["msgid"]
    assert len(wecom_sim.received("lisi")) == 1


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda c: c.update(task_id="has space"), "charset"),
        (lambda c: c.update(task_id="x" * 129), "length"),
        (lambda c: c.pop("task_id"), "missing task_id"),
        (lambda c: c.update(button_list=[{"text": f"b{i}", "key": f"k{i}"} for i in range(7)]), "7 buttons"),
        (lambda c: c.update(button_list=[{"text": "no key"}]), "key required"),
        (lambda c: c.update(button_list=[{"text": "a", "key": "k"}, {"text": "b", "key": "k"}]), "repeated key"),
        (lambda c: c.update(card_type="fancy"), "card type"),
    ],
)
def test_button_card_validation(wecom_sim: WeComSimulator, mutate, why: str) -> None:
    body = button_card("lisi", "valid_task-1@x")
    mutate(body["template_card"])
    assert send(wecom_sim, token(wecom_sim), body)["errcode"] == 40058, why
    assert wecom_sim.received("lisi") == []


def test_recall_within_24_hours(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    first = send(wecom_sim, tok, text("lisi", "oops"))
    assert post(wecom_sim, "/cgi-bin/message/recall", {"msgid": first["msgid"]}, access_token=tok)["errcode"] == 0
    assert wecom_sim.recalled == [first["msgid"]]
    assert wecom_sim.received("lisi")[0]["recalled"] is True
    assert post(wecom_sim, "/cgi-bin/message/recall", {"msgid": first["msgid"]}, access_token=tok)["errcode"] == 40059
    late = send(wecom_sim, tok, text("lisi", "old"))
    wecom_sim.clock.advance(86_401)
    reply = post(wecom_sim, "/cgi-bin/message/recall", {"msgid": late["msgid"]}, access_token=token(wecom_sim))
    assert reply["errcode"] == 40059
    assert post(wecom_sim, "/cgi-bin/message/recall", {"msgid": "unknown"}, access_token=token(wecom_sim))[
        "errcode"] == 40059


def _upload(sim: WeComSimulator, path: str, data: bytes, filename: str = "报告.pdf", **params: str) -> dict:
    response = requests.post(sim.base_url + path, params=params,
                             files={"media": (filename, data, "application/pdf")}, timeout=10)
    assert response.status_code == 200
    return response.json()


def test_media_upload_then_send_a_file(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    reply = _upload(wecom_sim, "/cgi-bin/media/upload", b"%PDF-1.7 report", access_token=tok, type="file")
    assert reply["errcode"] == 0 and reply["type"] == "file" and reply["created_at"].isdigit()
    media = wecom_sim.uploaded_media(reply["media_id"])
    assert (media.data, media.filename, media.media_type) == (b"%PDF-1.7 report", "报告.pdf", "file")
    body = {"touser": "lisi", "msgtype": "file", "agentid": 1000002, "file": {"media_id": reply["media_id"]}}
    assert send(wecom_sim, tok, body)["errcode"] == 0
    assert wecom_sim.received("lisi")[0]["file"] == {"media_id": reply["media_id"]}
    wecom_sim.clock.advance(3 * 86_400)
    assert send(wecom_sim, token(wecom_sim), {**body, "touser": "wangwu"})["errcode"] == 40007


def test_media_upload_limits(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    assert _upload(wecom_sim, "/cgi-bin/media/upload", b"12345", access_token=tok, type="file")["errcode"] == 40006
    big = b"x" * (20 * 1024 * 1024 + 1)
    assert _upload(wecom_sim, "/cgi-bin/media/upload", big, access_token=tok, type="file")["errcode"] == 45001
    assert _upload(wecom_sim, "/cgi-bin/media/upload", b"123456", access_token=tok, type="pdf")["errcode"] == 40004
    wrong_field = requests.post(wecom_sim.base_url + "/cgi-bin/media/upload",
                                params={"access_token": tok, "type": "file"},
                                files={"file": ("a.txt", b"123456789")}, timeout=10).json()
    assert wrong_field["errcode"] == 44001


def test_robot_media_only_serves_the_robot_that_uploaded_it(wecom_sim: WeComSimulator) -> None:
    [key] = wecom_sim.robot_keys
    other = wecom_sim.add_robot()
    reply = _upload(wecom_sim, "/cgi-bin/webhook/upload_media", b"robot file", key=key, type="file")
    assert reply["errcode"] == 0
    body = {"msgtype": "file", "file": {"media_id": reply["media_id"]}}
    assert post(wecom_sim, "/cgi-bin/webhook/send", body, key=key)["errcode"] == 0
    assert post(wecom_sim, "/cgi-bin/webhook/send", body, key=other)["errcode"] == 40007
    app_body = {"touser": "lisi", "msgtype": "file", "agentid": 1000002, "file": {"media_id": reply["media_id"]}}
    assert send(wecom_sim, token(wecom_sim), app_body)["errcode"] == 40007
    assert [m["msgtype"] for m in wecom_sim.robot_messages(key)] == ["file"]
