"""Sealing access tokens before they reach a shared store.

A token store is a table (or a dict) that other people can read: a database dump, a
debugging session. The client therefore stores tokens encrypted with AES-GCM under a key
derived (HKDF-SHA256) from the app secret, which never leaves the connection. A reader of
the store learns nothing usable; a client holding the secret reads it back.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_PREFIX = "v1."


def _derive(secret: str, corp_id: str, info: bytes, length: int) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=length, salt=corp_id.encode("utf-8"), info=info
    ).derive(secret.encode("utf-8"))


class TokenSealer:
    """Encrypts tokens for one (corp, secret) pair; `key_id` tells secrets apart safely."""

    def __init__(self, secret: str, corp_id: str) -> None:
        self._aead = AESGCM(_derive(secret, corp_id, b"wecomply access-token seal v1", 32))
        # A non-reversible fingerprint, so a store key differs per secret (the app secret and
        # the contacts secret of one corp never overwrite each other's token).
        self.key_id = _derive(secret, corp_id, b"wecomply token-store key id v1", 6).hex()

    def __repr__(self) -> str:
        return f"TokenSealer(key_id={self.key_id!r})"

    def seal(self, token: str, store_key: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, token.encode("utf-8"), store_key.encode("utf-8"))
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def unseal(self, sealed: str, store_key: str) -> str | None:
        """The token, or None if it was sealed under another secret, key or format."""
        if not sealed.startswith(_PREFIX):
            return None
        try:
            raw = base64.urlsafe_b64decode(sealed[len(_PREFIX) :])
            plain = self._aead.decrypt(raw[:12], raw[12:], store_key.encode("utf-8"))
        except (InvalidTag, ValueError):
            return None
        return plain.decode("utf-8")
