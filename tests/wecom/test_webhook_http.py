"""WeComWebhookClient (group robot) over real HTTP against the simulator."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest
from wecom_simulator import WeComSimulator
from wecom_simulator.clock import SimClock

from wecomply.wecom.errors import MessageTooLarge, WeComConfigError, WeComSendInDoubt
from wecomply.wecom.memory_stores import MemoryPacingStore
from wecomply.wecom.transport import RetryPolicy
from wecomply.wecom.webhook import WeComWebhookClient

SEND = "/cgi-bin/webhook/send"
UPLOAD = "/cgi-bin/webhook/upload_media"
START = 1_717_200_000.0


def robot(sim: WeComSimulator, sleeps: list[float], **kwargs: Any) -> WeComWebhookClient:
    kwargs.setdefault("timeout", 1.0)
    kwargs.setdefault("sleep", sleeps.append)
    kwargs.setdefault("retry", RetryPolicy(max_attempts=3))
    return WeComWebhookClient(sim.base_url, kwargs.pop("key", sim.robot_keys[0]), **kwargs)


def test_text_markdown_and_file(wecom_sim: WeComSimulator) -> None:
    sleeps: list[float] = []
    client = robot(wecom_sim, sleeps)
    key = wecom_sim.robot_keys[0]
    client.send_text("今晚 20:00 系统维护", mentioned_list=["zhangsan"])
    long_markdown = "\n".join(f"- **部门 {i}**：培训完成率 {i}%" for i in range(300))
    client.send_markdown(long_markdown)
    media_id = client.send_file("月度报告.txt", "月度考核结果\n".encode() * 10)
    sent = wecom_sim.robot_messages(key)
    assert sent[0]["text"] == {"content": "今晚 20:00 系统维护", "mentioned_list": ["zhangsan"]}
    markdown_parts = [msg["markdown"]["content"] for msg in sent if msg["msgtype"] == "markdown"]
    assert len(markdown_parts) >= 2 and "\n".join(markdown_parts) == long_markdown
    assert all(len(p.encode()) <= 4096 for p in markdown_parts)
    assert sent[-1] == {"time": sent[-1]["time"], "msgtype": "file", "file": {"media_id": media_id}}
    assert wecom_sim.calls(UPLOAD) == 1


def test_over_long_text_is_refused_before_sending(wecom_sim: WeComSimulator) -> None:
    client = robot(wecom_sim, [])
    with pytest.raises(MessageTooLarge):
        client.send_text("字" * 683)
    assert wecom_sim.calls(SEND) == 0


def test_robot_is_paced_at_20_per_minute(make_wecom_sim: Callable[..., WeComSimulator]) -> None:
    clock = SimClock(start=START, frozen=True)
    sim = make_wecom_sim(clock=clock)
    sleeps: list[float] = []
    client = robot(sim, sleeps, clock=clock.now, sleep=clock.advance, pacing_store=MemoryPacingStore())
    for i in range(45):
        client.send_text(f"告警 {i}")
    assert len(sim.robot_messages(sim.robot_keys[0])) == 45
    assert sim.calls(SEND) == 45 and sim.errors(SEND) == 0  # never hit the robot's limit
    assert clock.now() >= START + 120


def test_rate_limited_send_is_retried(wecom_sim: WeComSimulator) -> None:
    sleeps: list[float] = []
    client = robot(wecom_sim, sleeps)
    wecom_sim.faults.add(SEND, "errcode45009")
    client.send_text("重试一次")
    assert wecom_sim.calls(SEND) == 2 and len(sleeps) == 1
    assert len(wecom_sim.robot_messages(wecom_sim.robot_keys[0])) == 1


def test_invalid_key_is_a_configuration_error_without_the_key(wecom_sim: WeComSimulator) -> None:
    client = robot(wecom_sim, [], key="not-a-real-robot-key", conn_id="wecom_webhook_ops")
    with pytest.raises(WeComConfigError) as info:
        client.send_text("hello")
    assert info.value.errcode == 93000
    assert "wecom_webhook_ops" in str(info.value) and "not-a-real-robot-key" not in str(info.value)
    assert wecom_sim.calls(SEND) == 1


def test_lost_robot_send_is_in_doubt_and_key_never_logged(
    wecom_sim: WeComSimulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = wecom_sim.robot_keys[0]
    client = robot(wecom_sim, [])
    client.send_text("first")
    wecom_sim.faults.add(SEND, "reset", after_processing=True)
    with pytest.raises(WeComSendInDoubt) as info:
        client.send_text("second")
    assert info.value.duplicate_check is False
    assert wecom_sim.calls(SEND) == 2  # not repeated
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "key=***" in logged
    assert key not in logged and key not in str(info.value) and key not in repr(client)
