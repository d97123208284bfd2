"""WeComClient over real HTTP against the WeCom simulator on loopback.

Backoff sleeps are recorded instead of slept, so retry tests are fast; the client's
timeout (1 s) is below the simulator's "timeout" fault hold (2 s).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import pytest
from wecom_simulator import WeComSimulator
from wecom_simulator.clock import SimClock
from wecom_simulator.state import SimConfig

from wecomply.wecom import messages as m
from wecomply.wecom.client import WeComClient
from wecomply.wecom.errors import (
    WeComAllRecipientsInvalid,
    WeComApiError,
    WeComConfigError,
    WeComConnectionInvalid,
    WeComDailyCapExceeded,
    WeComRateLimited,
    WeComSendInDoubt,
    WeComTokenRejected,
    WeComTransientError,
)
from wecomply.wecom.memory_stores import MemoryPacingStore, MemoryTokenStore
from wecomply.wecom.transport import RetryPolicy

SEND = "/cgi-bin/message/send"
GETTOKEN = "/cgi-bin/gettoken"
USER_GET = "/cgi-bin/user/get"
START = 1_717_200_000.0  # 2024-06-01 08:00 Shanghai


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def app_client(sim: WeComSimulator, sleeps: Callable[[float], None], **kwargs: Any) -> WeComClient:
    kwargs.setdefault("timeout", 1.0)
    kwargs.setdefault("retry", RetryPolicy(max_attempts=4))
    kwargs.setdefault("sleep", sleeps)
    return WeComClient(sim.base_url, sim.corp_id, kwargs.pop("secret", sim.secret), kwargs.pop("agent_id", sim.agent_id), **kwargs)


def text_body(userids: list[str], content: str = "请完成本周的企业微信安全培训", **kwargs: Any) -> dict[str, Any]:
    return m.batch_bodies(m.text(content), userids, **kwargs)[0]


def plain_body(userids: list[str], content: str = "没有去重保护的消息") -> dict[str, Any]:
    """A body WITHOUT enable_duplicate_check (only for the in-doubt tests)."""
    return {"touser": "|".join(userids), "msgtype": "text", "text": {"content": content}}


# --- access token ------------------------------------------------------------------------


def test_token_fetched_once_for_many_sends_and_stored_sealed(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    seen: list[str] = []
    store = MemoryTokenStore()
    client = app_client(wecom_sim, sleeps, token_store=store, on_secret=seen.append)
    for i in range(5):
        result = client.send_message(text_body(["zhangsan"], f"第 {i} 条提醒"))
        assert result.msgid
    assert wecom_sim.calls(GETTOKEN) == 1
    assert [msg["text"]["content"] for msg in wecom_sim.received("zhangsan")] == [f"第 {i} 条提醒" for i in range(5)]
    assert seen[0] == wecom_sim.secret and len(seen) == 2  # the secret, then the one token
    cached = store.get(client.token_key)
    assert cached is not None and seen[1] not in cached.sealed and wecom_sim.secret not in cached.sealed
    assert wecom_sim.secret not in repr(client)


def test_processes_sharing_a_store_fetch_one_token_even_at_cold_start(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    store = MemoryTokenStore()
    clients = [app_client(wecom_sim, sleeps, token_store=store) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    names: list[str] = []

    def work(client: WeComClient) -> None:
        barrier.wait()
        names.append(client.get_user("zhangsan")["name"])

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert names == ["张三"] * 6
    assert wecom_sim.calls(GETTOKEN) == 1
    assert wecom_sim.calls(USER_GET) == 6


class CountingStore(MemoryTokenStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, key):  # type: ignore[no-untyped-def]
        self.reads += 1
        return super().get(key)


def test_a_process_rereads_the_shared_token_at_most_every_30_s_and_on_rejection(
    wecom_sim: WeComSimulator, sleeps: Sleeps
) -> None:
    from tests.wecom.conftest import FakeClock

    clock = FakeClock()
    store = CountingStore()
    first = app_client(wecom_sim, sleeps, token_store=store, clock=clock)
    other = app_client(wecom_sim, sleeps, token_store=store, clock=clock)
    for i in range(20):
        first.send_message(text_body(["zhangsan"], f"第 {i} 条"))
    assert store.reads <= 3 and wecom_sim.calls(GETTOKEN) == 1  # not one read per message
    before = store.reads
    clock.now += 31
    first.send_message(text_body(["zhangsan"], "半分钟后"))
    reads = store.reads
    assert reads == before + 1  # reread after 30 s: another process may have replaced it
    # WeCom revokes the token; the other process refreshes it into the shared store.
    wecom_sim.revoke_tokens()
    other.get_user("zhangsan")
    assert wecom_sim.calls(GETTOKEN) == 2
    # The first still holds the revoked token: one rejection, then the store's new token.
    first.send_message(text_body(["zhangsan"], "换了令牌以后"))
    assert wecom_sim.calls(GETTOKEN) == 2 and store.reads > reads
    assert [m["text"]["content"] for m in wecom_sim.received("zhangsan")][-1] == "换了令牌以后"


@pytest.mark.parametrize("errcode", [40014, 42001])
def test_revoked_token_is_refreshed_exactly_once(wecom_sim: WeComSimulator, sleeps: Sleeps, errcode: int) -> None:
    client = app_client(wecom_sim, sleeps)
    client.send_message(text_body(["lisi"], "一"))
    wecom_sim.revoke_tokens(errcode=errcode)
    client.send_message(text_body(["lisi"], "二"))
    assert wecom_sim.calls(GETTOKEN) == 2
    assert wecom_sim.calls(SEND) == 3  # ok, rejected, ok
    assert len(wecom_sim.received("lisi")) == 2
    # The calls after the refresh use the new token (the refused one is not read back
    # from the in-process cache): no second rejection.
    client.send_message(text_body(["lisi"], "三"))
    client.get_user("lisi")
    assert wecom_sim.calls(SEND) == 4 and wecom_sim.calls(GETTOKEN) == 2
    assert wecom_sim.errcodes()[errcode] == 1
    assert len(wecom_sim.received("lisi")) == 3
    assert sleeps == []  # a token refresh is not a backoff


def test_revoke_token_fault_mid_run(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    client.get_user("wangwu")
    wecom_sim.faults.add(USER_GET, "revoke_token")
    assert client.get_user("wangwu")["userid"] == "wangwu"
    assert wecom_sim.calls(GETTOKEN) == 2 and wecom_sim.calls(USER_GET) == 3


def test_token_refused_again_after_refresh_does_not_loop(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    wecom_sim.faults.add(USER_GET, "revoke_token", times=5)
    with pytest.raises(WeComTokenRejected):
        client.get_user("wangwu")
    assert wecom_sim.calls(GETTOKEN) == 2 and wecom_sim.calls(USER_GET) == 2


def test_token_refreshed_early_before_expiry(make_wecom_sim: Callable[..., WeComSimulator], sleeps: Sleeps) -> None:
    clock = SimClock(start=START, frozen=True)
    sim = make_wecom_sim(clock=clock, config=SimConfig(refetch_returns_same_token=False))
    client = app_client(sim, sleeps, clock=clock.now)
    client.get_user("zhangsan")
    clock.advance(7200 - 299)  # inside the 5-minute refresh margin
    client.get_user("zhangsan")
    assert sim.calls(GETTOKEN) == 2
    assert sim.errors(USER_GET) == 0  # never sent a token WeCom considered expired


def test_early_refresh_that_returns_the_same_token_is_used_until_expiry(
    make_wecom_sim: Callable[..., WeComSimulator], sleeps: Sleeps
) -> None:
    clock = SimClock(start=START, frozen=True)
    sim = make_wecom_sim(clock=clock)  # refetch inside the validity window returns the same token
    client = app_client(sim, sleeps, clock=clock.now)
    client.get_user("zhangsan")
    clock.advance(7200 - 200)
    for _ in range(5):
        client.get_user("zhangsan")
    assert sim.calls(GETTOKEN) == 2  # one early refresh, not one per call
    clock.advance(201)
    client.get_user("zhangsan")
    assert sim.calls(GETTOKEN) == 3 and sim.errors(USER_GET) == 0


# --- configuration errors ----------------------------------------------------------------


def test_wrong_secret_fails_at_once_naming_the_connection(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps, secret="definitely-wrong-secret", conn_id="wecom_hr")
    with pytest.raises(WeComConfigError) as info:
        client.send_message(text_body(["zhangsan"]))
    error = info.value
    assert error.errcode == 40001 and error.endpoint == "gettoken"
    assert "wecom_hr" in str(error) and "Secret" in str(error) and "password" in str(error)
    assert "definitely-wrong-secret" not in str(error)
    assert wecom_sim.calls(GETTOKEN) == 1 and wecom_sim.calls(SEND) == 0
    assert sleeps == []


def test_untrusted_ip_names_the_console_setting(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    wecom_sim.trusted_ip = False
    client = app_client(wecom_sim, sleeps)
    with pytest.raises(WeComConfigError) as info:
        client.get_user("zhangsan")
    assert info.value.errcode == 60020 and "企业可信IP" in str(info.value)
    assert wecom_sim.calls(GETTOKEN) == 1 and sleeps == []


def test_disabled_app_is_a_configuration_error(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    client.get_user("zhangsan")
    wecom_sim.app_enabled = False
    with pytest.raises(WeComConfigError) as info:
        client.get_user("zhangsan")
    assert info.value.errcode == 50003 and "wecom_default" in str(info.value)
    assert wecom_sim.calls(USER_GET) == 2 and sleeps == []


# --- retries -----------------------------------------------------------------------------


def test_45009_burst_is_retried_with_bounded_backoff(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    wecom_sim.faults.add(SEND, "errcode45009", times=2)
    assert client.send_message(text_body(["zhaoliu"])).msgid
    assert wecom_sim.calls(SEND) == 3
    assert len(sleeps) == 2 and sleeps[0] >= 5.0 and sleeps[1] >= 10.0  # rate limits back off longer
    assert len(wecom_sim.received("zhaoliu")) == 1


def test_45009_that_persists_gives_up_after_max_attempts(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    wecom_sim.faults.add(SEND, "errcode45009", times=10)
    with pytest.raises(WeComRateLimited) as info:
        client.send_message(text_body(["zhaoliu"]))
    assert info.value.errcode == 45009
    assert wecom_sim.calls(SEND) == 4 and len(sleeps) == 3
    assert all(s <= 30.0 + 1.0 for s in sleeps)
    assert wecom_sim.received("zhaoliu") == []


@pytest.mark.parametrize("kind", ["errcode-1", "errcode6000", "errcode45033", "http500", "timeout", "reset"])
def test_transient_faults_on_a_read_are_retried(wecom_sim: WeComSimulator, sleeps: Sleeps, kind: str) -> None:
    client = app_client(wecom_sim, sleeps)
    wecom_sim.faults.add(USER_GET, kind)
    assert client.get_user("lisi")["name"] == "李四"
    assert wecom_sim.calls(USER_GET) == 2 and len(sleeps) == 1


def test_transient_fault_on_gettoken_is_retried_by_the_token_fetch(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    wecom_sim.faults.add(GETTOKEN, "http500", times=2)
    assert client.get_user("lisi")["userid"] == "lisi"
    assert wecom_sim.calls(GETTOKEN) == 3 and wecom_sim.calls(USER_GET) == 1


def test_persistent_transient_failure_raises_transient(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    wecom_sim.faults.add(USER_GET, "errcode-1", times=10)
    with pytest.raises(WeComTransientError) as info:
        client.get_user("lisi")
    assert info.value.errcode == -1 and wecom_sim.calls(USER_GET) == 4


# --- sends: duplicate check and in-doubt outcomes -----------------------------------------


@pytest.mark.parametrize("kind", ["timeout", "reset", "http500"])
def test_send_lost_after_delivery_is_retried_under_duplicate_check_and_delivered_once(
    wecom_sim: WeComSimulator, sleeps: Sleeps, kind: str
) -> None:
    client = app_client(wecom_sim, sleeps)
    wecom_sim.faults.add(SEND, kind, after_processing=True)
    result = client.send_message(text_body(["zhangsan", "lisi"]))
    assert result.msgid
    assert wecom_sim.calls(SEND) == 2
    assert wecom_sim.duplicates() == 1  # WeCom answered the retry from its duplicate check
    assert len(wecom_sim.received("zhangsan")) == 1 and len(wecom_sim.received("lisi")) == 1


@pytest.mark.parametrize("kind", ["timeout", "reset", "http500"])
def test_send_without_duplicate_check_is_never_repeated(wecom_sim: WeComSimulator, sleeps: Sleeps, kind: str) -> None:
    client = app_client(wecom_sim, sleeps)
    wecom_sim.faults.add(SEND, kind, after_processing=True)
    with pytest.raises(WeComSendInDoubt) as info:
        client.send_message(plain_body(["wangwu"]))
    assert info.value.duplicate_check is False and info.value.conn_id == "wecom_default"
    assert wecom_sim.calls(SEND) == 1 and sleeps == []
    assert len(wecom_sim.received("wangwu")) == 1  # it WAS delivered: a blind retry would double it


def test_send_rejected_before_delivery_is_retried_even_without_duplicate_check(
    wecom_sim: WeComSimulator, sleeps: Sleeps
) -> None:
    client = app_client(wecom_sim, sleeps)
    wecom_sim.faults.add(SEND, "errcode-1")
    assert client.send_message(plain_body(["wangwu"])).msgid
    assert wecom_sim.calls(SEND) == 2 and len(wecom_sim.received("wangwu")) == 1


def test_send_that_keeps_timing_out_is_reported_in_doubt(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps, retry=RetryPolicy(max_attempts=2))
    wecom_sim.faults.add(SEND, "timeout", times=2, after_processing=True)
    with pytest.raises(WeComSendInDoubt) as info:
        client.send_message(text_body(["zhaoliu"]))
    assert info.value.duplicate_check is True  # resending this exact body is still safe
    assert wecom_sim.calls(SEND) == 2 and len(wecom_sim.received("zhaoliu")) == 1


def test_random_faults_never_duplicate_a_message(
    make_wecom_sim: Callable[..., WeComSimulator], sleeps: Sleeps
) -> None:
    sim = make_wecom_sim()
    sim.faults.random(rate=0.3, seed=11, paths=[SEND], after_processing=True,
                      kinds=["http500", "errcode-1", "errcode45009", "timeout", "reset"])
    client = app_client(sim, sleeps, retry=RetryPolicy(max_attempts=6))
    outcomes = {"sent": 0, "in_doubt": 0}
    for i in range(12):
        try:
            client.send_message(text_body(["zhangsan"], f"随机故障 {i}"))
            outcomes["sent"] += 1
        except WeComSendInDoubt:
            outcomes["in_doubt"] += 1
    contents = [msg["text"]["content"] for msg in sim.received("zhangsan")]
    assert len(contents) == len(set(contents))  # nobody got anything twice
    assert outcomes["sent"] >= 10
    assert len(sim.faults.injected) > 0


# --- recipients ----------------------------------------------------------------------------


def test_all_recipients_invalid_is_not_retried(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    with pytest.raises(WeComAllRecipientsInvalid) as info:
        client.send_message(text_body(["Ghost_A", "ghost_b"]))
    assert info.value.errcode == 81013
    assert set(info.value.invalid_users) == {"Ghost_A", "ghost_b"}  # original case restored
    assert wecom_sim.calls(SEND) == 1 and sleeps == []


def test_invalid_users_are_reported_in_the_case_sent(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    result = client.send_message(text_body(["LiSi", "Nobody_X", "outsider"]))
    assert result.invalid_users == ("Nobody_X", "outsider")
    assert result.invalid_parties == () and result.unlicensed_users == ()
    assert len(wecom_sim.received("lisi")) == 1 and wecom_sim.received("outsider") == []


def test_2500_recipients_take_three_calls(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    users = [f"emp{i:04d}" for i in range(2500)]
    for userid in users:
        wecom_sim.add_user(userid, f"员工{userid}", [1])
    client = app_client(wecom_sim, sleeps)
    bodies = m.batch_bodies(m.text("季度复训通知"), users)
    results = [client.send_message(body) for body in bodies]
    assert wecom_sim.calls(SEND) == 3
    assert all(r.invalid_users == () for r in results)
    assert all(len(wecom_sim.received(u)) == 1 for u in users[::97])
    assert len(wecom_sim.received(users[-1])) == 1


def test_message_to_more_than_1000_users_is_refused_before_sending(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    body = {"touser": "|".join(f"u{i}" for i in range(1001)), "msgtype": "text", "text": {"content": "x"}}
    with pytest.raises(Exception, match="1000"):
        client.send_message(body)
    assert wecom_sim.calls(SEND) == 0


# --- pacing and the daily cap --------------------------------------------------------------


def test_pacing_keeps_one_member_under_30_per_minute(make_wecom_sim: Callable[..., WeComSimulator], sleeps: Sleeps) -> None:
    clock = SimClock(start=START, frozen=True)
    sim = make_wecom_sim(clock=clock)
    client = app_client(sim, sleeps, clock=clock.now, sleep=clock.advance, pacing_store=MemoryPacingStore())
    for i in range(75):
        client.send_message(text_body(["zhangsan"], f"提醒 {i}"))
    delivered = sim.received("zhangsan")
    assert len(delivered) == 75 and sim.drops("zhangsan") == 0
    times = sorted(msg["time"] for msg in delivered)
    assert max(sum(1 for t in times if start <= t < start + 60) for start in times) <= 30
    assert clock.now() > START + 120  # it had to wait


def test_without_shared_pacing_the_simulator_drops(make_wecom_sim: Callable[..., WeComSimulator], sleeps: Sleeps) -> None:
    """Control for the test above: two clients with separate pacing stores overrun the member."""
    clock = SimClock(start=START, frozen=True)
    sim = make_wecom_sim(clock=clock)
    a = app_client(sim, sleeps, clock=clock.now, sleep=clock.advance, pacing_store=MemoryPacingStore())
    b = app_client(sim, sleeps, clock=clock.now, sleep=clock.advance, pacing_store=MemoryPacingStore())
    for i in range(20):
        a.send_message(text_body(["lisi"], f"a{i}"))
        b.send_message(text_body(["lisi"], f"b{i}"))
    assert sim.drops("lisi") > 0
    shared = MemoryPacingStore()
    c = app_client(sim, sleeps, clock=clock.now, sleep=clock.advance, pacing_store=shared)
    d = app_client(sim, sleeps, clock=clock.now, sleep=clock.advance, pacing_store=shared)
    clock.advance(3600)
    for i in range(20):
        c.send_message(text_body(["wangwu"], f"c{i}"))
        d.send_message(text_body(["wangwu"], f"d{i}"))
    assert sim.drops("wangwu") == 0 and len(sim.received("wangwu")) == 40


def test_daily_cap_refuses_before_sending(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps, daily_seat_cap=3)
    client.send_message(text_body(["zhangsan", "lisi"]))
    with pytest.raises(WeComDailyCapExceeded) as info:
        client.send_message(text_body(["wangwu", "zhaoliu"]))
    assert info.value.cap == 3 and "200" in str(info.value)
    assert wecom_sim.calls(SEND) == 1
    client.send_message(text_body(["wangwu"]))  # one more still fits
    assert wecom_sim.calls(SEND) == 2


def test_daily_cap_refunds_a_send_that_failed(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps, daily_seat_cap=2)
    with pytest.raises(WeComAllRecipientsInvalid):
        client.send_message(text_body(["ghost1", "ghost2"]))
    client.send_message(text_body(["zhangsan", "lisi"]))
    assert len(wecom_sim.received("lisi")) == 1


# --- media, cards, recall -------------------------------------------------------------------


def test_upload_media_and_send_a_file(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    data = "第一章 企业微信使用规范\n".encode() * 20
    media_id = client.upload_media("培训手册.txt", data)
    uploaded = wecom_sim.uploaded_media(media_id)
    assert uploaded.filename == "培训手册.txt" and uploaded.data == data
    client.send_message(m.batch_bodies(m.file(media_id), ["zhangsan"])[0])
    [message] = wecom_sim.received("zhangsan")
    assert message["msgtype"] == "file" and message["file"]["media_id"] == media_id


def test_button_card_update_and_single_use_response_code(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    card = m.button_card(
        task_id="training_2024-06", title="安全培训提醒", desc="请确认已完成",
        buttons=[m.Button("已完成", "done"), m.Button("稍后", "later", style=2)],
    )
    result = client.send_message(m.batch_bodies(card, ["zhangsan", "lisi"])[0])
    assert result.response_code
    client.update_template_card(["zhangsan"], result.response_code, replace_name="已确认")
    assert wecom_sim.card_state("training_2024-06", "zhangsan")["replace_name"] == "已确认"
    assert wecom_sim.card_state("training_2024-06", "lisi")["updated"] is False
    with pytest.raises(WeComApiError):
        client.update_template_card(["lisi"], result.response_code, replace_name="已确认")
    assert wecom_sim.calls("/cgi-bin/message/update_template_card") == 2  # refused, not retried


def test_recall(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    result = client.send_message(text_body(["wangwu"]))
    assert result.msgid
    client.recall(result.msgid)
    assert wecom_sim.recalled == [result.msgid]


# --- contacts, meetings, check-in ----------------------------------------------------------


def test_contacts_with_the_app_secret(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    departments = {d["id"]: d["name"] for d in client.list_departments()}
    assert departments[2] == "研发部" and departments[4] == "研发一组"
    assert {u["userid"] for u in client.list_department_users(4)} == {"lisi", "zhaoliu", "inactive"}
    assert client.get_user("zhangsan")["name"] == "张三"
    with pytest.raises(WeComConfigError) as info:
        client.list_user_ids()  # needs the contacts-sync secret
    assert info.value.errcode == 48002 and "wecom_default" in str(info.value)


def test_tag_members_include_the_tags_departments(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    client = app_client(wecom_sim, sleeps)
    assert client.get_tag_members(1) == ["zhangsan"]
    wecom_sim.add_tag(7, "研发一组全员", userids=["wangwu"], partyids=[4])
    assert set(client.get_tag_members(7)) == {"wangwu", "lisi", "zhaoliu", "inactive"}
    with pytest.raises(WeComApiError) as info:
        client.get_tag_members(999)
    assert info.value.errcode == 40068


def test_list_user_ids_pages_with_the_contacts_secret(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    store = MemoryTokenStore()
    app = app_client(wecom_sim, sleeps, token_store=store)
    contacts = app_client(
        wecom_sim, sleeps, secret=wecom_sim.contacts_secret, agent_id=None, conn_id="wecom_contacts", token_store=store
    )
    entries = contacts.list_user_ids(page_size=3)
    assert {e["userid"] for e in entries} == {
        "zhangsan", "lisi", "wangwu", "zhaoliu", "outsider", "disabled", "inactive"
    }
    assert wecom_sim.calls("/cgi-bin/user/list_id") == 3  # 7 entries, 3 per page
    app.get_user("zhangsan")
    assert wecom_sim.calls(GETTOKEN) == 2  # one token per secret, in one shared store
    contacts.disable_user("lisi")
    assert contacts.get_user("lisi")["status"] == 2
    assert wecom_sim.user_updates()[-1]["enable"] == 0


def test_meetings_are_paged_and_split_into_180_day_spans(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    day = 86400
    ids = [
        wecom_sim.add_meeting(admin_userid="zhangsan", title=f"周会 {i}", start=int(START) + i * day,
                              duration=3600, invitees=["lisi"])
        for i in range(250)
    ]
    client = app_client(wecom_sim, sleeps)
    found = client.get_user_meeting_ids("lisi", START, START + 250 * day)
    assert found == ids
    assert wecom_sim.calls("/cgi-bin/meeting/get_user_meetingid") == 3  # 180 + 70 days; 180 take 2 pages
    assert client.get_meeting_info(ids[0])["title"] == "周会 0"


def test_checkin_data_is_chunked_by_users_and_days(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    users = [f"remote{i:03d}" for i in range(150)]
    for userid in users:
        wecom_sim.add_user(userid, userid, [1])
    for i, userid in enumerate(users):
        wecom_sim.add_checkin(userid, int(START) + (i % 40) * 86400)
    client = app_client(wecom_sim, sleeps)
    records = client.get_checkin_data(users, START, START + 45 * 86400)
    assert len(records) == 150
    assert wecom_sim.calls("/cgi-bin/checkin/getcheckindata") == 4  # 2 user chunks x 2 spans


# --- secrets never reach logs ------------------------------------------------------------


def test_no_token_or_secret_in_logs_or_errors(wecom_sim: WeComSimulator, sleeps: Sleeps, caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []
    caplog.set_level(logging.DEBUG)
    client = app_client(wecom_sim, sleeps, on_secret=seen.append)
    wecom_sim.faults.add(USER_GET, "reset")
    wecom_sim.faults.add(USER_GET, "timeout")
    client.get_user("lisi")
    wecom_sim.faults.add(SEND, "reset", after_processing=True)
    with pytest.raises(WeComSendInDoubt) as info:
        client.send_message(plain_body(["lisi"]))
    wecom_sim.revoke_tokens()
    client.get_user("lisi")
    errors_text = str(info.value) + repr(info.value.__cause__) + str(info.value.__context__)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert len(seen) == 3  # the secret and two tokens
    assert "access_token=***" in logged
    for secret in seen:
        assert secret not in logged
        assert secret not in errors_text


def test_missing_connection_fields_are_reported_before_any_request(wecom_sim: WeComSimulator, sleeps: Sleeps) -> None:
    with pytest.raises(WeComConnectionInvalid, match="wecom_x.*password"):
        WeComClient(wecom_sim.base_url, wecom_sim.corp_id, "", 1, conn_id="wecom_x")
    contacts = app_client(wecom_sim, sleeps, secret=wecom_sim.contacts_secret, agent_id=None, conn_id="wecom_contacts")
    with pytest.raises(WeComConnectionInvalid, match="agent_id"):
        contacts.send_message(text_body(["zhangsan"]))
    assert wecom_sim.calls() == 0
