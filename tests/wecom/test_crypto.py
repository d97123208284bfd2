"""Callback crypto against WeCom's official sample vectors, plus tampering cases.

Vectors: the WXBizMsgCrypt samples published by the WeCom team (sbzhu/weworkapi_python
`callback/Sample.py`, and the Token "QDG6eK" sample reproduced in the C#/Java SDKs and doc
90968). They were produced by WeCom's own implementation, so matching them is an
independent check, not just a round trip of our code.
"""

from __future__ import annotations

import base64

import pytest

from wecomply.wecom.crypto import WeComCrypto
from wecomply.wecom.errors import BadSignature, MalformedCallback, WrongReceiveId

QDG = ("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
QDG_ECHO = dict(
    signature="5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    timestamp="1409659589",
    nonce="263014780",
    echostr="P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==",
)
QDG_POST = dict(
    signature="477715d11cdb4164915debcba66cb864d751f3e6",
    timestamp="1409659813",
    nonce="1372623149",
    encrypt=(
        "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
        "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjv"
        "d4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw"
        "2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22N"
        "cx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uy"
        "PIGHBZZIs2pDBS8R07+qN+E7Q=="
    ),
)

SAMPLE = ("hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo", "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt", "ww1436e0e65a779aee")
SAMPLE_ECHO = dict(
    signature="012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    timestamp="1476416373",
    nonce="47744683",
    echostr="fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==",
)
SAMPLE_POST = dict(
    signature="0c3914025cb4b4d68103f6bfc8db550f79dcf48e",
    timestamp="1476422779",
    nonce="1597212914",
    encrypt=(
        "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkA"
        "gGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ"
        "9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2q"
        "ARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL"
        "6aSDPOYuPDGOCI8jmnKiypE+"
    ),
)


def test_official_url_verification_vectors() -> None:
    assert WeComCrypto(*QDG).verify_url(**QDG_ECHO) == "1616140317555161061"
    assert WeComCrypto(*SAMPLE).verify_url(**SAMPLE_ECHO) == "1288432023552776189"


def test_official_post_vector_signature_and_plaintext() -> None:
    crypto = WeComCrypto(*QDG)
    assert crypto.signature(QDG_POST["timestamp"], QDG_POST["nonce"], QDG_POST["encrypt"]) == QDG_POST["signature"]
    plain = crypto.decrypt(QDG_POST["encrypt"])
    assert "<Content><![CDATA[hello]]></Content>" in plain
    assert "<MsgId>4561255354251345929</MsgId>" in plain


def test_official_wecom_sample_with_chinese_content() -> None:
    crypto = WeComCrypto(*SAMPLE)
    crypto.verify_signature(SAMPLE_POST["signature"], SAMPLE_POST["timestamp"], SAMPLE_POST["nonce"], SAMPLE_POST["encrypt"])
    plain = crypto.decrypt(SAMPLE_POST["encrypt"])
    assert "<Content>你好</Content>" in plain
    assert "<FromUserName>ChenJiaShun</FromUserName>" in plain


def test_encrypt_matches_wecom_layout_and_pads_to_32_bytes() -> None:
    crypto = WeComCrypto(*SAMPLE)
    encrypted = crypto.encrypt("<xml>点击</xml>", random_prefix=b"0123456789abcdef")
    raw = base64.b64decode(encrypted)
    assert len(raw) % 32 == 0
    assert crypto.decrypt(encrypted) == "<xml>点击</xml>"
    # Same prefix and message give the same ciphertext (CBC with the fixed IV).
    assert crypto.encrypt("<xml>点击</xml>", random_prefix=b"0123456789abcdef") == encrypted


def test_bad_signature_is_rejected() -> None:
    crypto = WeComCrypto(*QDG)
    with pytest.raises(BadSignature):
        crypto.verify_signature("0" * 40, QDG_POST["timestamp"], QDG_POST["nonce"], QDG_POST["encrypt"])
    with pytest.raises(BadSignature):
        crypto.verify_url(QDG_ECHO["signature"], "1409659590", QDG_ECHO["nonce"], QDG_ECHO["echostr"])


def test_wrong_receive_id_is_rejected() -> None:
    token, key, _ = QDG
    with pytest.raises(WrongReceiveId):
        WeComCrypto(token, key, "ww_other_corp").decrypt(QDG_POST["encrypt"])


def test_tampered_ciphertext_fails_padding_or_receiveid() -> None:
    crypto = WeComCrypto(*QDG)
    raw = bytearray(base64.b64decode(QDG_POST["encrypt"]))
    raw[-1] ^= 0x55
    with pytest.raises((MalformedCallback, WrongReceiveId)):
        crypto.decrypt(base64.b64encode(bytes(raw)).decode())


def test_malformed_ciphertext() -> None:
    crypto = WeComCrypto(*QDG)
    with pytest.raises(MalformedCallback):
        crypto.decrypt("not base64 !!")
    with pytest.raises(MalformedCallback):
        crypto.decrypt(base64.b64encode(b"short").decode())


def test_key_validation_and_repr_hides_secrets() -> None:
    with pytest.raises(ValueError):
        WeComCrypto("t", "tooshort", "corp")
    crypto = WeComCrypto(*QDG)
    assert QDG[0] not in repr(crypto) and QDG[1] not in repr(crypto)
