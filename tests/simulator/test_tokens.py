"""gettoken, token expiry and revocation, and the two secrets' scopes."""

from __future__ import annotations

import pytest

from tests.simulator.helpers import SEND, get, post, send, text, token
from wecom_simulator import WeComSimulator


def test_gettoken_issues_a_long_token_valid_for_7200_seconds(wecom_sim: WeComSimulator) -> None:
    reply = get(wecom_sim, "/cgi-bin/gettoken", corpid=wecom_sim.corp_id, corpsecret=wecom_sim.secret)
    assert reply["errcode"] == 0 and reply["errmsg"] == "ok"
    assert reply["expires_in"] == 7200
    assert len(reply["access_token"]) >= 64
    assert send(wecom_sim, reply["access_token"], text("zhangsan"))["errcode"] == 0


@pytest.mark.parametrize(
    ("corpid", "secret", "errcode"),
    [("", "x", 41002), ("wwnotthiscorp", "x", 40013), (None, "", 41004), (None, "wrong-secret", 40001)],
)
def test_gettoken_errors(wecom_sim: WeComSimulator, corpid: str | None, secret: str, errcode: int) -> None:
    reply = get(wecom_sim, "/cgi-bin/gettoken", corpid=wecom_sim.corp_id if corpid is None else corpid,
                corpsecret=secret)
    assert reply["errcode"] == errcode
    assert "access_token" not in reply
    assert wecom_sim.errors("/cgi-bin/gettoken") == 1


def test_refetch_within_validity_returns_the_same_token(wecom_sim: WeComSimulator) -> None:
    first = token(wecom_sim)
    wecom_sim.clock.advance(1000)
    reply = get(wecom_sim, "/cgi-bin/gettoken", corpid=wecom_sim.corp_id, corpsecret=wecom_sim.secret)
    assert reply["access_token"] == first
    assert 6190 <= reply["expires_in"] <= 6200
    assert wecom_sim.issued_tokens() == 1


def test_token_expires_after_7200_seconds(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    wecom_sim.clock.advance(7199)
    assert send(wecom_sim, tok, text("zhangsan"))["errcode"] == 0
    wecom_sim.clock.advance(2)
    assert send(wecom_sim, tok, text("zhangsan", "again"))["errcode"] == 42001
    fresh = token(wecom_sim)
    assert fresh != tok
    assert send(wecom_sim, fresh, text("zhangsan", "again"))["errcode"] == 0
    assert len(wecom_sim.received("zhangsan")) == 2


def test_missing_unknown_and_revoked_tokens(wecom_sim: WeComSimulator) -> None:
    assert post(wecom_sim, SEND, text("zhangsan"))["errcode"] == 41001
    assert send(wecom_sim, "x" * 128, text("zhangsan"))["errcode"] == 40014
    tok = token(wecom_sim)
    assert wecom_sim.revoke_tokens() == 1
    assert send(wecom_sim, tok, text("zhangsan"))["errcode"] == 40014
    assert token(wecom_sim) != tok
    assert wecom_sim.received("zhangsan") == []
    assert wecom_sim.errcodes(SEND) == {41001: 1, 40014: 2}


def test_contacts_token_only_works_on_contacts_endpoints(wecom_sim: WeComSimulator) -> None:
    contacts = token(wecom_sim, wecom_sim.contacts_secret)
    app = token(wecom_sim)
    assert contacts != app
    assert send(wecom_sim, contacts, text("zhangsan"))["errcode"] == 48002
    assert post(wecom_sim, "/cgi-bin/user/list_id", {"limit": 10}, access_token=app)["errcode"] == 48002
    assert post(wecom_sim, "/cgi-bin/user/update", {"userid": "lisi", "enable": 0},
                access_token=app)["errcode"] == 48002
    listed = post(wecom_sim, "/cgi-bin/user/list_id", {"limit": 10}, access_token=contacts)
    assert listed["errcode"] == 0 and listed["dept_user"]
    assert get(wecom_sim, "/cgi-bin/user/get", userid="lisi", access_token=contacts)["name"] == "李四"


def test_disabled_app_and_untrusted_ip_are_configuration_errors(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    wecom_sim.app_enabled = False
    assert send(wecom_sim, tok, text("zhangsan"))["errcode"] == 50003
    assert get(wecom_sim, "/cgi-bin/gettoken", corpid=wecom_sim.corp_id,
               corpsecret=wecom_sim.secret)["errcode"] == 40001
    wecom_sim.app_enabled = True
    wecom_sim.trusted_ip = False
    assert send(wecom_sim, tok, text("zhangsan"))["errcode"] == 60020
    assert wecom_sim.received("zhangsan") == []


def test_wrong_method_and_unknown_path(wecom_sim: WeComSimulator) -> None:
    tok = token(wecom_sim)
    assert get(wecom_sim, SEND, access_token=tok)["errcode"] == 43002
    assert get(wecom_sim, "/cgi-bin/no/such/api", access_token=tok)["errcode"] == 40066


def test_credentials_follow_the_seed_and_stay_out_of_repr() -> None:
    a, b, c = WeComSimulator(seed=1), WeComSimulator(seed=1), WeComSimulator(seed=2)
    assert (a.corp_id, a.secret, a.encoding_aes_key, a.robot_keys) == (b.corp_id, b.secret, b.encoding_aes_key,
                                                                       b.robot_keys)
    assert a.secret != c.secret
    assert a.corp_id.startswith("ww") and len(a.encoding_aes_key) == 43
    assert a.secret not in repr(a) and a.token not in repr(a)
