"""Message builders: byte limits, line splitting, card validation and batching."""

from __future__ import annotations

import json

import pytest

from wecomply.errors import UserFacingError
from wecomply.wecom import messages as m
from wecomply.wecom.errors import InvalidMessage, MessageTooLarge


def test_text_limit_counts_utf8_bytes_not_characters() -> None:
    ok = "培" * 682  # 2046 bytes
    assert m.text(ok)["text"]["content"] == ok
    with pytest.raises(MessageTooLarge) as info:
        m.text("培" * 683)  # 2049 bytes, only 683 characters
    assert (info.value.field, info.value.size, info.value.limit) == ("text.content", 2049, 2048)
    assert "2048" in str(info.value) and "超过" in str(info.value)
    assert isinstance(info.value, UserFacingError)


def test_split_at_lines_keeps_lines_whole_and_fits_the_limit() -> None:
    lines = [f"第{i}行：请在本周五前完成企业微信安全培训。" for i in range(200)]
    content = "\n".join(lines)
    parts = m.split_at_lines(content, 2048)
    assert len(parts) > 1
    assert all(m.byte_len(p) <= 2048 for p in parts)
    assert "\n".join(parts) == content  # nothing lost, nothing reordered
    assert all(p.split("\n")[0] in lines for p in parts)


def test_split_at_lines_refuses_an_unsplittable_line() -> None:
    with pytest.raises(MessageTooLarge) as info:
        m.split_at_lines("short\n" + "x" * 3000, 2048, field="text.content")
    assert "line 2" in info.value.field


def test_texts_and_markdowns_split() -> None:
    content = "\n".join("- 条目 %d" % i for i in range(600))
    assert len(m.texts(content)) >= 3
    assert all(p["msgtype"] == "markdown" for p in m.markdowns(content))
    assert m.texts("短") == [{"msgtype": "text", "text": {"content": "短"}}]


def test_textcard_limits() -> None:
    card = m.textcard("培训提醒", "请完成培训", "https://example.com/t", btntxt="查看")
    assert card["textcard"]["btntxt"] == "查看"
    with pytest.raises(MessageTooLarge):
        m.textcard("题" * 43, "d", "https://example.com")  # 129 bytes
    with pytest.raises(MessageTooLarge):
        m.textcard("t", "描" * 171, "https://example.com")  # 513 bytes
    with pytest.raises(InvalidMessage):
        m.textcard("t", "", "https://example.com")
    with pytest.raises(InvalidMessage):
        m.textcard("t", "d", "ftp://example.com")
    with pytest.raises(MessageTooLarge):
        m.textcard("t", "d", "https://example.com", btntxt="五个字按钮")


def test_button_card_shape_and_validation() -> None:
    card = m.button_card(
        task_id="onboard_2024-06@zs",
        title="入职培训提醒",
        desc="请在 6 月 7 日前完成",
        buttons=[m.Button("已完成", "done"), m.Button("需要帮助", "help", style=2)],
        horizontal_content=[("截止", "2024-06-07")],
    )
    tc = card["template_card"]
    assert card["msgtype"] == "template_card"
    assert tc["card_type"] == "button_interaction"
    assert tc["button_list"] == [
        {"text": "已完成", "style": 1, "key": "done"},
        {"text": "需要帮助", "style": 2, "key": "help"},
    ]
    assert tc["horizontal_content_list"] == [{"keyname": "截止", "value": "2024-06-07"}]

    def build(**overrides):
        args = dict(task_id="t1", title="x", buttons=[m.Button("a", "k")])
        args.update(overrides)
        return m.button_card(**args)

    with pytest.raises(InvalidMessage):
        build(task_id="has space")
    with pytest.raises(InvalidMessage):
        build(task_id="任务")
    with pytest.raises(MessageTooLarge):
        build(task_id="a" * 129)
    assert build(task_id="a" * 128)
    with pytest.raises(MessageTooLarge):
        build(buttons=[m.Button(str(i), f"k{i}") for i in range(7)])
    with pytest.raises(InvalidMessage):
        build(buttons=[m.Button("a", "same"), m.Button("b", "same")])
    with pytest.raises(MessageTooLarge):
        build(buttons=[m.Button("a", "k" * 1025)])
    with pytest.raises(InvalidMessage):
        build(buttons=[])


def test_batch_bodies_split_sort_and_enable_duplicate_check() -> None:
    users = [f"user{i:04d}" for i in range(2500)]
    shuffled = list(reversed(users))
    bodies = m.batch_bodies(m.text("提醒"), shuffled, agent_id=1000002)
    assert [len(b["touser"].split("|")) for b in bodies] == [1000, 1000, 500]
    assert bodies[0]["touser"].split("|")[0] == "user0000"
    assert all(b["enable_duplicate_check"] == 1 and b["duplicate_check_interval"] == 14400 for b in bodies)
    assert all(b["agentid"] == 1000002 for b in bodies)
    rebuilt = m.batch_bodies(m.text("提醒"), users + users[:10], agent_id=1000002)
    assert [m.body_bytes(b) for b in rebuilt] == [m.body_bytes(b) for b in bodies]


def test_body_bytes_is_independent_of_key_order() -> None:
    body = m.batch_bodies(m.text("提醒"), ["a"], agent_id=1)[0]
    reordered = json.loads(json.dumps(dict(reversed(list(body.items())))))
    assert m.body_bytes(reordered) == m.body_bytes(body)
    assert "提醒".encode() in m.body_bytes(body)


def test_batch_bodies_rejects_bad_input() -> None:
    with pytest.raises(InvalidMessage):
        m.batch_bodies(m.text("x"), ["a|b"])
    with pytest.raises(InvalidMessage):
        m.batch_bodies(m.text("x"), ["@all"])
    with pytest.raises(InvalidMessage):
        m.batch_bodies({**m.text("x"), "touser": "a"}, ["b"])
    with pytest.raises(InvalidMessage):
        m.batch_bodies(m.text("x"), ["a"], duplicate_check_interval=14401)


def test_update_card_body() -> None:
    body = m.update_card_body(["b", "a"], "rc", agent_id=7, replace_name="已确认")
    assert body == {"userids": ["a", "b"], "agentid": 7, "response_code": "rc", "button": {"replace_name": "已确认"}}
    with pytest.raises(InvalidMessage):
        m.update_card_body(["a"], "rc", agent_id=7)
    with pytest.raises(InvalidMessage):
        m.update_card_body(["a"], "rc", agent_id=7, replace_name="x", template_card={})


def test_a_card_split_over_batches_gets_a_task_id_per_batch() -> None:
    card = m.button_card(task_id="quarterly_2024Q2", title="复训", buttons=[m.Button("确认", "ack")])
    users = [f"u{i}" for i in range(1500)]
    bodies = m.batch_bodies(card, users, agent_id=1)
    ids = [b["template_card"]["task_id"] for b in bodies]
    assert ids == ["quarterly_2024Q2@b1", "quarterly_2024Q2@b2"]
    assert [m.base_task_id(i) for i in ids] == ["quarterly_2024Q2"] * 2
    assert card["template_card"]["task_id"] == "quarterly_2024Q2"  # the payload is untouched
    single = m.batch_bodies(card, users[:10], agent_id=1)
    assert single[0]["template_card"]["task_id"] == "quarterly_2024Q2"
    assert m.base_task_id("plain@bx") == "plain@bx"
