"""WeCom callback crypto (WXBizMsgCrypt), implemented on `cryptography`.

- signature: hex SHA1 of the sorted strings [token, timestamp, nonce, encrypted];
- cipher: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = key[:16];
- padding: PKCS#7 to a multiple of 32 bytes (not AES's 16);
- plaintext: 16 random bytes + 4-byte big-endian length + msg + receiveid.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from wecomply.wecom.errors import BadSignature, MalformedCallback, WrongReceiveId

BLOCK = 32


def _pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def _unpad(data: bytes) -> bytes:
    if not data:
        raise MalformedCallback("decrypted payload is empty")
    n = data[-1]
    if not 1 <= n <= BLOCK or len(data) < n or data[-n:] != bytes([n]) * n:
        raise MalformedCallback("decrypted payload has invalid PKCS#7 padding")
    return data[:-n]


class WeComCrypto:
    """Signs, encrypts and decrypts callback payloads for one app.

    `receive_id` is the corp id for a self-built app; `decrypt` refuses any other.
    """

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        if len(encoding_aes_key) != 43:
            raise ValueError("EncodingAESKey must be 43 characters")
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as exc:
            raise ValueError("EncodingAESKey is not valid base64") from exc
        if len(key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        self._token = token
        self._key = key
        self.receive_id = receive_id

    def __repr__(self) -> str:
        return f"WeComCrypto(receive_id={self.receive_id!r})"

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        parts = sorted([self._token, str(timestamp), str(nonce), encrypted])
        return hashlib.sha1("".join(parts).encode("utf-8")).hexdigest()

    def verify_signature(self, signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        """Raise `BadSignature` unless `signature` matches (compared in constant time)."""
        expected = self.signature(timestamp, nonce, encrypted)
        if not hmac.compare_digest(expected, (signature or "").lower()):
            raise BadSignature("callback signature does not match")

    def encrypt(self, message: str | bytes, *, random_prefix: bytes | None = None) -> str:
        """Encrypt `message` for `receive_id`; returns base64 text."""
        msg = message.encode("utf-8") if isinstance(message, str) else message
        prefix = random_prefix if random_prefix is not None else os.urandom(16)
        if len(prefix) != 16:
            raise ValueError("random_prefix must be 16 bytes")
        plain = prefix + struct.pack(">I", len(msg)) + msg + self.receive_id.encode("utf-8")
        encryptor = self._cipher().encryptor()
        cipher_text = encryptor.update(_pad(plain)) + encryptor.finalize()
        return base64.b64encode(cipher_text).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """Decrypt base64 `encrypted`, check padding and receiveid, return the message text."""
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise MalformedCallback("encrypted payload is not valid base64") from exc
        if not raw or len(raw) % 16:
            raise MalformedCallback("encrypted payload is not a whole number of AES blocks")
        decryptor = self._cipher().decryptor()
        plain = _unpad(decryptor.update(raw) + decryptor.finalize())
        if len(plain) < 20:
            raise MalformedCallback("decrypted payload is too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise MalformedCallback("decrypted payload length field is out of range")
        msg = plain[20 : 20 + length]
        receive_id = plain[20 + length :]
        if not hmac.compare_digest(receive_id, self.receive_id.encode("utf-8")):
            raise WrongReceiveId("callback is addressed to another corp (receiveid mismatch)")
        try:
            return msg.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedCallback("decrypted message is not UTF-8") from exc

    def verify_url(self, signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """GET URL verification: check the signature and return the decrypted echostr."""
        self.verify_signature(signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)
