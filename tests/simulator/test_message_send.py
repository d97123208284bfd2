"""message/send: recipients, invalid ids, validation and silent truncation."""

from __future__ import annotations

import pytest

from tests.simulator.helpers import SEND, post, send, text, token
from wecom_simulator import WeComSimulator


def test_invalid_users_are_reported_lower_cased_and_the_rest_delivered(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    reply = send(wecom_sim, tok, text("ZhangSan|Nobody|OUTSIDER|disabled|LISI", "提醒"))
    assert reply["errcode"] == 0
    assert reply["invaliduser"] == "nobody|outsider|disabled"
    assert reply["invalidparty"] == "" and reply["invalidtag"] == ""
    for userid in ("zhangsan", "lisi"):
        [delivered] = wecom_sim.received(userid)
        assert delivered["msgid"] == reply["msgid"]
        assert delivered["text"] == {"content": "提醒"}
        assert delivered["truncated"] == []
    assert wecom_sim.received("outsider") == []
    assert wecom_sim.message(reply["msgid"])["recipients"] == ["zhangsan", "lisi"]
    assert wecom_sim.recipients_reached() == 2


def test_all_recipients_invalid_is_81013(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    reply = send(wecom_sim, tok, {**text("nobody|outsider"), "toparty": "999", "totag": "42"})
    assert reply["errcode"] == 81013
    assert reply["invaliduser"] == "nobody|outsider"
    assert reply["invalidparty"] == "999" and reply["invalidtag"] == "42"
    assert wecom_sim.sent_count() == 0 and wecom_sim.recipients_reached() == 0


def test_party_tag_and_all_expand_to_deliverable_members(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    # Department 2 includes its sub-department 4; invisible/disabled members are skipped.
    reply = send(wecom_sim, tok, {**text(""), "toparty": "2", "totag": "1"})
    assert reply["errcode"] == 0
    assert wecom_sim.message(reply["msgid"])["recipients"] == ["zhangsan", "lisi", "zhaoliu", "inactive"]
    everyone = send(wecom_sim, tok, text("@all", "全员"))
    assert set(wecom_sim.message(everyone["msgid"])["recipients"]) == {
        "zhangsan", "lisi", "wangwu", "zhaoliu", "inactive"}


def test_recipient_count_limits(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    ok = send(wecom_sim, tok, text("|".join(["zhangsan"] * 1000)))
    assert ok["errcode"] == 0
    assert send(wecom_sim, tok, text("|".join(["zhangsan"] * 1001)))["errcode"] == 40058
    assert send(wecom_sim, tok, {**text(""), "toparty": "|".join(["2"] * 101)})["errcode"] == 40058
    assert send(wecom_sim, tok, {**text(""), "totag": "|".join(["1"] * 101)})["errcode"] == 40058
    assert len(wecom_sim.received("zhangsan")) == 1


def test_text_over_2048_bytes_is_truncated_silently_at_a_character_boundary(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    content = "a" + "考" * 700  # 1 + 2100 bytes
    reply = send(wecom_sim, tok, text("lisi", content))
    assert reply["errcode"] == 0
    [delivered] = wecom_sim.received("lisi")
    assert delivered["truncated"] == ["text.content"]
    kept = delivered["text"]["content"]
    assert kept == "a" + "考" * 682  # 2047 bytes: the 683rd character would cross 2048
    assert len(kept.encode()) == 2047


def test_textcard_limits(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    card = {"touser": "lisi", "msgtype": "textcard", "agentid": 1000002,
            "textcard": {"title": "T" * 200, "description": "描" * 200, "url": "https://example.invalid/x"}}
    assert send(wecom_sim, tok, card)["errcode"] == 0
    [delivered] = wecom_sim.received("lisi")
    assert delivered["truncated"] == ["textcard.title", "textcard.description"]
    assert len(delivered["textcard"]["title"]) == 128
    assert len(delivered["textcard"]["description"].encode()) == 510
    missing = {**card, "textcard": {"title": "t", "url": "https://example.invalid"}}
    assert send(wecom_sim, tok, missing)["errcode"] == 41033


@pytest.mark.parametrize(
    ("body", "errcode"),
    [
        ({"touser": "lisi", "msgtype": "text", "text": {"content": "x"}}, 41011),
        ({"touser": "lisi", "msgtype": "text", "agentid": 7, "text": {"content": "x"}}, 40056),
        ({"touser": "lisi", "msgtype": "voicemail", "agentid": 1000002}, 40008),
        ({"touser": "lisi", "msgtype": "text", "agentid": 1000002, "text": {"content": ""}}, 44004),
        ({"touser": "lisi", "msgtype": "file", "agentid": 1000002, "file": {"media_id": "nope"}}, 40007),
        ({"touser": "lisi", "msgtype": "text", "agentid": 1000002, "text": {"content": "x"},
          "enable_duplicate_check": 1, "duplicate_check_interval": 14401}, 40058),
    ],
)
def test_validation_errcodes(wecom_sim: WeComSimulator, body: dict, errcode: int) -> None:
    assert send(wecom_sim, token(wecom_sim), body)["errcode"] == errcode
    assert wecom_sim.received("lisi") == []
    assert wecom_sim.errors(SEND) == 1


def test_body_that_is_not_json_is_47001(wecom_sim: WeComSimulator) -> None:
    import requests

    reply = requests.post(wecom_sim.base_url + SEND, params={"access_token": token(wecom_sim)},
                          data=b"{not json", timeout=10).json()
    assert reply["errcode"] == 47001


def test_errmsg_is_wecom_shaped_so_clients_must_decide_on_errcode(wecom_sim: WeComSimulator) -> None:
    reply = post(wecom_sim, SEND, text("lisi"), access_token="bogus")
    assert reply["errcode"] == 40014
    assert reply["errmsg"].startswith("invalid access_token, hint: [")
    assert "devtool/query?e=40014" in reply["errmsg"]
