"""WeCom callback encryption, written independently of `wecomply.wecom.crypto`.

Scheme (facts sheet §7.3-7.4): AES-256-CBC with key = b64decode(EncodingAESKey + "="),
IV = key[:16], PKCS#7 padding to a multiple of 32 bytes, plaintext =
random(16) + len(msg) as 4 bytes big-endian + msg + receiveid, base64 of the ciphertext;
signature = hex SHA1 of the sorted, concatenated token, timestamp, nonce and ciphertext.
The two implementations are kept apart on purpose so that each checks the other.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32


class CryptoError(ValueError):
    """A ciphertext, padding or key that does not follow the scheme."""


def aes_key(encoding_aes_key: str) -> bytes:
    if len(encoding_aes_key) != 43:
        raise CryptoError("EncodingAESKey must be 43 characters")
    key = base64.b64decode(encoding_aes_key + "=")
    if len(key) != 32:
        raise CryptoError("EncodingAESKey must decode to 32 bytes")
    return key


def new_encoding_aes_key(raw: bytes | None = None) -> str:
    """A valid 43-character EncodingAESKey (from 32 raw bytes, random if not given)."""
    raw = os.urandom(32) if raw is None else raw
    if len(raw) != 32:
        raise CryptoError("an AES-256 key is 32 bytes")
    return base64.b64encode(raw).decode("ascii").rstrip("=")


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    joined = "".join(sorted([token, str(timestamp), str(nonce), encrypted]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


class CallbackCrypto:
    """Encrypts what WeCom sends to a callback URL; decrypts passive replies."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        self.token = token
        self.receive_id = receive_id
        self._key = aes_key(encoding_aes_key)

    def __repr__(self) -> str:
        return f"CallbackCrypto(receive_id={self.receive_id!r})"

    def sign(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return signature(self.token, timestamp, nonce, encrypted)

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(
        self,
        message: str | bytes,
        *,
        receive_id: str | None = None,
        prefix: bytes | None = None,
    ) -> str:
        msg = message.encode("utf-8") if isinstance(message, str) else message
        rid = (self.receive_id if receive_id is None else receive_id).encode("utf-8")
        prefix = os.urandom(16) if prefix is None else prefix
        if len(prefix) != 16:
            raise CryptoError("the random prefix is 16 bytes")
        plain = prefix + struct.pack(">I", len(msg)) + msg + rid
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> tuple[bytes, str]:
        """Return (message, receiveid); the caller decides whether the receiveid is right."""
        try:
            data = base64.b64decode(encrypted, validate=True)
        except ValueError as exc:
            raise CryptoError("ciphertext is not base64") from exc
        if not data or len(data) % 16:
            raise CryptoError("ciphertext length is not a multiple of the AES block")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK or plain[-pad:] != bytes([pad]) * pad:
            raise CryptoError("bad PKCS#7 padding")
        plain = plain[:-pad]
        if len(plain) < 20:
            raise CryptoError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        if 20 + length > len(plain):
            raise CryptoError("message length exceeds the plaintext")
        return plain[20 : 20 + length], plain[20 + length :].decode("utf-8")
