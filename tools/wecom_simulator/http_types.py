"""The request and outcome types passed between the HTTP server and the simulator."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from wecom_simulator.errcodes import BAD_JSON, ApiError

JSON_TYPE = "application/json; charset=UTF-8"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body.decode("utf-8")) if self.body else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(BAD_JSON, "request body is not JSON") from exc
        if not isinstance(data, dict):
            raise ApiError(BAD_JSON, "request body must be a JSON object")
        return data


@dataclass
class Outcome:
    """What to do with a call: respond, or hold first, or close/reset without a response."""

    status: int = 200
    body: bytes = b""
    content_type: str = JSON_TYPE
    hold: float = 0.0
    action: str = "respond"  # "respond" | "close" | "reset"


def json_outcome(payload: dict[str, Any], status: int = 200) -> Outcome:
    return Outcome(status=status, body=json.dumps(payload, ensure_ascii=False).encode("utf-8"))
