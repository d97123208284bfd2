"""Error mapping, URL scrubbing and token sealing (no network)."""

from __future__ import annotations

import pytest

from wecomply.errors import UserFacingError
from wecomply.wecom import errors as e
from wecomply.wecom.memory_stores import MemoryTokenStore
from wecomply.wecom.redact import scrub_text, scrub_url
from wecomply.wecom.stores import CachedToken
from wecomply.wecom.tokens import TokenSealer


@pytest.mark.parametrize(
    "errcode,kind",
    [
        (40001, e.WeComConfigError),
        (40013, e.WeComConfigError),
        (40091, e.WeComConfigError),
        (48002, e.WeComConfigError),
        (50003, e.WeComConfigError),
        (60011, e.WeComConfigError),
        (60020, e.WeComConfigError),
        (45009, e.WeComRateLimited),
        (45033, e.WeComRateLimited),
        (-1, e.WeComTransientError),
        (6000, e.WeComTransientError),
        (81013, e.WeComAllRecipientsInvalid),
        (42001, e.WeComTokenRejected),
        (40014, e.WeComTokenRejected),
        (60111, e.WeComApiError),
    ],
)
def test_errcode_kinds(errcode: int, kind: type) -> None:
    error = e.api_error(errcode, "msg", "message/send", conn_id="wecom_default")
    assert type(error) is kind
    assert error.errcode == errcode and error.endpoint == "message/send"


def test_config_error_names_connection_and_fix_in_both_languages() -> None:
    error = e.api_error(60020, "not allow to access from your ip", "gettoken", conn_id="wecom_hr")
    text = str(error)
    assert "wecom_hr" in text and "企业可信IP" in text
    assert "60020" in text and "egress IP" in text
    assert isinstance(error, UserFacingError)
    assert "password" in str(e.api_error(40001, "invalid credential", "gettoken", conn_id="c"))


def test_scrub_url_masks_every_credential_parameter() -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=S3CRET&x=1"
    assert scrub_url(url) == "https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=***&x=1"
    assert "TOKEN" not in scrub_url("http://h/cgi-bin/message/send?access_token=TOKEN")
    assert "K3Y" not in scrub_url("http://h/cgi-bin/webhook/send?key=K3Y")
    assert scrub_url("http://h/path") == "http://h/path"


def test_scrub_text_masks_urls_in_library_messages_and_known_secrets() -> None:
    text = "Max retries exceeded with url: /cgi-bin/message/send?access_token=abc123 (Caused by X)"
    assert "abc123" not in scrub_text(text)
    assert "zzz" not in scrub_text("echo zzz here", ["zzz"])


def test_sealed_token_is_useless_without_the_secret() -> None:
    sealer = TokenSealer("app-secret", "ww1")
    sealed = sealer.seal("ACCESS-TOKEN-VALUE", "ww1:7:kid")
    assert "ACCESS-TOKEN-VALUE" not in sealed
    assert sealer.unseal(sealed, "ww1:7:kid") == "ACCESS-TOKEN-VALUE"
    assert TokenSealer("other-secret", "ww1").unseal(sealed, "ww1:7:kid") is None
    assert sealer.unseal(sealed, "ww1:8:kid") is None  # bound to its store key
    assert sealer.unseal(sealed[:-4] + "AAAA", "ww1:7:kid") is None
    assert sealer.unseal("garbage", "ww1:7:kid") is None


def test_key_id_differs_per_secret_and_reveals_nothing() -> None:
    a, b = TokenSealer("secret-a", "ww1"), TokenSealer("secret-b", "ww1")
    assert a.key_id != b.key_id
    assert "secret" not in repr(a).replace("TokenSealer", "")


def test_memory_token_store_roundtrip() -> None:
    store = MemoryTokenStore()
    store.put("k", CachedToken(sealed="s", expires_at=1.0))
    assert store.get("k") == CachedToken(sealed="s", expires_at=1.0)
    with store.refresh_lock("k"):
        store.delete("k")
    assert store.get("k") is None
