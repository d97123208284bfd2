"""Fault injection by rule and at random (same seed, same faults)."""

from __future__ import annotations

import pytest
import requests

from tests.simulator.helpers import SEND, get, send, text, token
from wecom_simulator import WeComSimulator


def _raw_send(sim: WeComSimulator, tok: str, content: str, timeout: float = 5.0) -> requests.Response:
    return requests.post(sim.base_url + SEND, params={"access_token": tok}, json=text("lisi", content),
                         timeout=timeout)


@pytest.mark.parametrize(("kind", "errcode"), [("errcode-1", -1), ("errcode6000", 6000), ("errcode45009", 45009)])
def test_errcode_faults_answer_http_200_and_do_not_deliver(wecom_sim: WeComSimulator, kind: str,
                                                           errcode: int) -> None:
    tok = token(wecom_sim)
    wecom_sim.faults.add(SEND, kind)
    assert send(wecom_sim, tok, text("lisi", "first"))["errcode"] == errcode
    assert send(wecom_sim, tok, text("lisi", "second"))["errcode"] == 0
    assert [m["text"]["content"] for m in wecom_sim.received("lisi")] == ["second"]
    assert wecom_sim.calls(SEND) == 2 and wecom_sim.errors(SEND) == 1


def test_a_burst_of_45009(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    wecom_sim.faults.add(SEND, "errcode45009", times=3)
    codes = [send(wecom_sim, tok, text("lisi", f"m{i}"))["errcode"] for i in range(4)]
    assert codes == [45009, 45009, 45009, 0]
    assert wecom_sim.faults.injected == [(SEND, "errcode45009")] * 3


def test_http_500(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    wecom_sim.faults.add(SEND, "http500")
    assert _raw_send(wecom_sim, tok, "x").status_code == 500
    assert _raw_send(wecom_sim, tok, "y").status_code == 200
    assert len(wecom_sim.received("lisi")) == 1
    assert wecom_sim.errors(SEND) == 1


def test_http_500_after_processing_has_delivered(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    wecom_sim.faults.add(SEND, "http500", after_processing=True)
    assert _raw_send(wecom_sim, tok, "in doubt").status_code == 500
    assert [m["text"]["content"] for m in wecom_sim.received("lisi")] == ["in doubt"]


@pytest.mark.parametrize("after_processing", [False, True])
def test_timeout(wecom_sim: WeComSimulator, after_processing: bool) -> None:
    tok = token(wecom_sim)
    wecom_sim.faults.timeout_seconds = 1.0
    wecom_sim.faults.add(SEND, "timeout", after_processing=after_processing)
    with pytest.raises(requests.exceptions.ReadTimeout):
        _raw_send(wecom_sim, tok, "slow", timeout=0.3)
    delivered = [m["text"]["content"] for m in wecom_sim.received("lisi")]
    assert delivered == (["slow"] if after_processing else [])
    assert _raw_send(wecom_sim, tok, "after").json()["errcode"] == 0


@pytest.mark.parametrize("after_processing", [False, True])
def test_connection_reset(wecom_sim: WeComSimulator, after_processing: bool) -> None:
    tok = token(wecom_sim)
    wecom_sim.faults.add(SEND, "reset", after_processing=after_processing)
    with pytest.raises(requests.exceptions.ConnectionError):
        _raw_send(wecom_sim, tok, "reset")
    delivered = [m["text"]["content"] for m in wecom_sim.received("lisi")]
    assert delivered == (["reset"] if after_processing else [])
    assert _raw_send(wecom_sim, tok, "after").json()["errcode"] == 0


def test_revoke_token_mid_run(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    assert send(wecom_sim, tok, text("lisi", "before"))["errcode"] == 0
    wecom_sim.faults.add(SEND, "revoke_token")
    assert send(wecom_sim, tok, text("lisi", "during"))["errcode"] == 40014
    assert send(wecom_sim, tok, text("lisi", "stale token"))["errcode"] == 40014
    fresh = token(wecom_sim)
    assert fresh != tok
    assert send(wecom_sim, fresh, text("lisi", "after"))["errcode"] == 0
    assert [m["text"]["content"] for m in wecom_sim.received("lisi")] == ["before", "after"]


def test_wildcard_rule_and_clear(wecom_sim: WeComSimulator) -> None:
    wecom_sim.faults.add("*", "errcode-1", times=5)
    reply = requests.get(wecom_sim.base_url + "/cgi-bin/gettoken",
                         params={"corpid": wecom_sim.corp_id, "corpsecret": wecom_sim.secret}, timeout=5).json()
    assert reply["errcode"] == -1
    assert wecom_sim.faults.pending == 4
    wecom_sim.faults.clear()
    assert wecom_sim.faults.pending == 0
    assert send(wecom_sim, token(wecom_sim), text("lisi"))["errcode"] == 0


def test_discard_drops_that_rule_alone(wecom_sim: WeComSimulator) -> None:
    first = wecom_sim.faults.add(SEND, "errcode-1")
    wecom_sim.faults.add(SEND, "errcode-1")  # equal to `first`, and stays
    wecom_sim.faults.discard(first)
    assert wecom_sim.faults.pending == 1
    tok = token(wecom_sim)
    assert send(wecom_sim, tok, text("lisi"))["errcode"] == -1
    wecom_sim.faults.discard(first)  # used up or dropped already: nothing happens
    assert send(wecom_sim, tok, text("lisi"))["errcode"] == 0


def _random_run(sim: WeComSimulator, seed: int) -> list[int]:
    tok = token(sim)
    sim.faults.random(rate=0.3, seed=seed, kinds=["errcode-1", "errcode45009", "http500"], paths=[SEND])
    return [_raw_send(sim, tok, f"m{i}").status_code * 100_000 + (_code(sim)) for i in range(40)]


def _code(sim: WeComSimulator) -> int:
    return sim.request_log()[-1]["errcode"] or 0


def test_random_faults_follow_the_seed(make_wecom_sim) -> None:
    a = _random_run(make_wecom_sim(), seed=7)
    b = _random_run(make_wecom_sim(), seed=7)
    c = _random_run(make_wecom_sim(), seed=8)
    assert a == b
    assert a != c
    faulted = [x for x in a if x != 200 * 100_000]
    assert 3 <= len(faulted) <= 25  # rate 0.3 of 40 calls, with slack


def test_random_faults_apply_only_to_the_given_paths(wecom_sim: WeComSimulator) -> None:
    wecom_sim.faults.random(rate=1.0, seed=1, kinds=["errcode-1"], paths=[SEND])
    tok = token(wecom_sim)  # gettoken is not faulted
    assert send(wecom_sim, tok, text("lisi"))["errcode"] == -1
    assert wecom_sim.faults.injected == [(SEND, "errcode-1")]


def test_unknown_fault_kind_is_refused(wecom_sim: WeComSimulator) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        wecom_sim.faults.add(SEND, "meteor")


def test_latency_holds_each_answer_without_serialising_calls(wecom_sim: WeComSimulator) -> None:
    """`config.latency_s` is a network round trip: every answer waits for it, and calls in
    flight together wait for it together (the hold is outside the simulator's lock)."""
    import threading
    import time

    tok = token(wecom_sim)
    wecom_sim.config.latency_s = 0.4
    held_in_parallel = threading.Barrier(4, timeout=10)
    answers: list[tuple[int, float]] = []

    def call() -> None:
        held_in_parallel.wait()
        start = time.perf_counter()
        reply = get(wecom_sim, "/cgi-bin/user/get", access_token=tok, userid="lisi")
        answers.append((reply["errcode"], time.perf_counter() - start))

    threads = [threading.Thread(target=call) for _ in range(4)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    together = time.perf_counter() - start
    assert [errcode for errcode, _ in answers] == [0] * 4
    assert min(waited for _, waited in answers) >= 0.4
    # One after another would take 1.6 s; held together they take one round trip and change.
    assert together < 1.2, f"4 concurrent calls took {together:.2f} s: the latency serialised them"
    # The admin API is the test's back door, not WeCom: it answers at once.
    start = time.perf_counter()
    assert "received" in get(wecom_sim, "/_sim/received", userid="lisi")
    assert time.perf_counter() - start < 0.4
