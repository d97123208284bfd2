"""What every member received, as a fingerprint two runs of the same month can compare.

A clean month and a chaos month of the same company must leave every member with the
same messages, each once. What may differ between the two runs is left out: WeCom's
msgid and delivery time, and media ids (a re-uploaded report gets a new one), which are
replaced by a digest of the uploaded file, so a different file still shows.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

VOLATILE = ("msgid", "time", "recalled")


def message_fingerprint(sim: Any, message: dict[str, Any]) -> str:
    stable = _with_media_digests(sim, {k: v for k, v in message.items() if k not in VOLATILE})
    return hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def _with_media_digests(sim: Any, value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _media_digest(sim, item) if key == "media_id" else _with_media_digests(sim, item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_with_media_digests(sim, item) for item in value]
    return value


def _media_digest(sim: Any, media_id: str) -> str:
    media = sim.uploaded_media(media_id)
    return "file:" + hashlib.sha256(media.filename.encode("utf-8") + b"\0" + media.data).hexdigest()[:16]


def received_by_member(sim: Any, userids: list[str]) -> dict[str, Counter[str]]:
    """userid → how many times each distinct message reached them (members who got any)."""
    out: dict[str, Counter[str]] = {}
    for userid in userids:
        got = Counter(message_fingerprint(sim, m) for m in sim.received(userid))
        if got:
            out[userid] = got
    return out


def received_summary(sim: Any, userids: list[str]) -> dict[str, Any]:
    """The summary's view of what members received: totals, repeats, and one digest over
    every member's messages (equal digests: the same messages reached the same people)."""
    by_member = received_by_member(sim, userids)
    canonical = json.dumps({u: sorted(c.elements()) for u, c in sorted(by_member.items())}, sort_keys=True)
    robots = [message_fingerprint(sim, m) for key in sim.robot_keys for m in sim.robot_messages(key)]
    return {
        "members_reached": len(by_member),
        "messages_received": sum(sum(c.values()) for c in by_member.values()),
        "digest": hashlib.sha256(canonical.encode("utf-8")).hexdigest(),
        "robot_messages": len(robots),
        "robot_digest": hashlib.sha256(json.dumps(sorted(robots)).encode("utf-8")).hexdigest(),
    }
