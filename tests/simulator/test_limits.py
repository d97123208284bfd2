"""Per-member silent drops, the daily cap, per-API 45009, the duplicate check, robots at 20/min."""

from __future__ import annotations

from tests.simulator.helpers import SEND, post, send, text, token
from wecom_simulator import SimClock, SimConfig, WeComSimulator


def test_more_than_30_a_minute_to_one_member_is_dropped_silently(wecom_sim: WeComSimulator) -> None:
    wecom_sim.clock.freeze()
    tok = token(wecom_sim)
    replies = [send(wecom_sim, tok, text("lisi|wangwu" if i == 31 else "lisi", f"m{i}")) for i in range(35)]
    assert all(r["errcode"] == 0 and r["msgid"] for r in replies)
    assert [m["text"]["content"] for m in wecom_sim.received("lisi")] == [f"m{i}" for i in range(30)]
    assert wecom_sim.drops("lisi") == 5 and wecom_sim.drops("LISI") == 5
    assert wecom_sim.drops() == 5
    assert [m["text"]["content"] for m in wecom_sim.dropped("lisi")] == [f"m{i}" for i in range(30, 35)]
    assert len(wecom_sim.received("wangwu")) == 1  # other members are unaffected
    # The window slides: 60 s after the first delivery a slot frees up.
    wecom_sim.clock.advance(59.9)
    send(wecom_sim, tok, text("lisi", "still blocked"))
    wecom_sim.clock.advance(0.2)
    send(wecom_sim, tok, text("lisi", "free again"))
    assert wecom_sim.received("lisi")[-1]["text"]["content"] == "free again"
    assert wecom_sim.drops("lisi") == 6


def test_more_than_1000_an_hour_to_one_member_is_dropped(make_wecom_sim) -> None:
    sim = make_wecom_sim(clock=SimClock(start=1_767_225_600, frozen=True))
    tok = token(sim)
    for i in range(1010):
        if i and i % 30 == 0:
            sim.clock.advance(61)  # keep under 30/min; 1010 sends span ~34 minutes
        send(sim, tok, text("lisi", f"m{i}"))
    assert len(sim.received("lisi")) == 1000
    assert sim.drops("lisi") == 10


def test_daily_cap_is_seats_times_200(make_wecom_sim) -> None:
    sim = make_wecom_sim(config=SimConfig(seats=1, member_per_minute=10_000, member_per_hour=10_000))
    tok = token(sim)
    for i in range(100):
        assert send(sim, tok, text("lisi|wangwu", f"m{i}"))["errcode"] == 0
    assert send(sim, tok, text("lisi", "201st"))["errcode"] == 45009
    assert len(sim.received("lisi")) == 100


def test_per_api_rate_limit_answers_45009(wecom_sim: WeComSimulator) -> None:
    wecom_sim.clock.freeze()
    wecom_sim.set_rate_limit(SEND, 3)
    tok = token(wecom_sim)
    codes = [send(wecom_sim, tok, text("lisi", f"m{i}"))["errcode"] for i in range(5)]
    assert codes == [0, 0, 0, 45009, 45009]
    wecom_sim.clock.advance(60)
    assert send(wecom_sim, tok, text("lisi", "next minute"))["errcode"] == 0
    assert len(wecom_sim.received("lisi")) == 4


def test_duplicate_check_suppresses_an_identical_request_within_the_interval(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    body = text("lisi", "只发一次", enable_duplicate_check=1, duplicate_check_interval=600)
    first = send(wecom_sim, tok, body)
    again = send(wecom_sim, token(wecom_sim), dict(body))  # the token is not part of the request JSON
    assert first["errcode"] == again["errcode"] == 0
    assert again["msgid"] == first["msgid"]
    assert len(wecom_sim.received("lisi")) == 1
    assert wecom_sim.duplicates() == 1
    assert send(wecom_sim, tok, text("lisi", "只发一次!", enable_duplicate_check=1,
                                     duplicate_check_interval=600))["msgid"] != first["msgid"]
    wecom_sim.clock.advance(601)
    assert send(wecom_sim, tok, body)["msgid"] != first["msgid"]
    assert len(wecom_sim.received("lisi")) == 3


def test_without_duplicate_check_an_identical_request_is_delivered_again(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    send(wecom_sim, tok, text("lisi", "same"))
    send(wecom_sim, tok, text("lisi", "same"))
    assert len(wecom_sim.received("lisi")) == 2


def test_duplicate_check_default_interval_is_1800_seconds(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    body = text("lisi", "default interval", enable_duplicate_check=1)
    send(wecom_sim, tok, body)
    wecom_sim.clock.advance(1799)
    send(wecom_sim, tok, body)
    assert len(wecom_sim.received("lisi")) == 1
    wecom_sim.clock.advance(2)
    send(wecom_sim, tok, body)
    assert len(wecom_sim.received("lisi")) == 2


def test_robot_sends_at_most_20_a_minute(wecom_sim: WeComSimulator) -> None:
    wecom_sim.clock.freeze()
    [key] = wecom_sim.robot_keys
    codes = [
        post(wecom_sim, "/cgi-bin/webhook/send", {"msgtype": "text", "text": {"content": f"r{i}"}}, key=key)["errcode"]
        for i in range(22)
    ]
    assert codes == [0] * 20 + [45009, 45009]
    assert len(wecom_sim.robot_messages(key)) == 20
    wecom_sim.clock.advance(60)
    assert post(wecom_sim, "/cgi-bin/webhook/send", {"msgtype": "markdown", "markdown": {"content": "**ok**"}},
                key=key)["errcode"] == 0
    assert wecom_sim.robot_messages(key)[-1]["markdown"] == {"content": "**ok**"}


def test_robot_rejects_bad_keys_and_over_long_content(wecom_sim: WeComSimulator) -> None:
    [key] = wecom_sim.robot_keys
    assert post(wecom_sim, "/cgi-bin/webhook/send", {"msgtype": "text", "text": {"content": "x"}},
                key="not-a-robot")["errcode"] == 93000
    too_long = {"msgtype": "markdown", "markdown": {"content": "字" * 1366}}  # 4098 bytes
    assert post(wecom_sim, "/cgi-bin/webhook/send", too_long, key=key)["errcode"] == 40058
    assert wecom_sim.robot_messages(key) == []


def test_reset_clears_messages_and_counters_but_keeps_the_directory(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    send(wecom_sim, tok, text("lisi"))
    wecom_sim.faults.add(SEND, "errcode-1")
    wecom_sim.reset()
    assert wecom_sim.calls() == 0 and wecom_sim.received("lisi") == [] and wecom_sim.faults.pending == 0
    assert send(wecom_sim, tok, text("lisi"))["errcode"] == 0
    assert len(wecom_sim.received("lisi")) == 1


def test_member_window_over_hours_never_exceeds_either_limit() -> None:
    from wecom_simulator.windows import MemberWindow

    window = MemberWindow(per_minute=30, per_hour=1000)
    delivered: list[float] = []
    now = 0.0
    while now < 3 * 3600:
        if window.try_deliver(now):
            delivered.append(now)
        now += 0.5
    for i, t in enumerate(delivered):
        in_minute = sum(1 for u in delivered[i:i + 40] if u - t < 60)
        in_hour = sum(1 for u in delivered[i:i + 1100] if u - t < 3600)
        assert in_minute <= 30 and in_hour <= 1000
    assert len(delivered) == 3000  # the hour cap, not the minute cap, binds over 3 hours


def test_concurrent_senders_share_one_member_window(wecom_sim: WeComSimulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    wecom_sim.clock.freeze()
    tok = token(wecom_sim)
    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda i: send(wecom_sim, tok, text("lisi", f"m{i}")), range(80)))
    assert all(r["errcode"] == 0 for r in replies)
    assert len({r["msgid"] for r in replies}) == 80
    assert len(wecom_sim.received("lisi")) == 30
    assert wecom_sim.drops("lisi") == 50
