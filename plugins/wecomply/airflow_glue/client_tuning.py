"""How long the WeCom clients wait, from a connection's extra (optional).

    {"timeout_s": 10, "retry": {"max_attempts": 4, "initial_wait_s": 1, "rate_limited_initial_wait_s": 5,
                                "max_wait_s": 30, "jitter_s": 1}}

Without these keys the clients keep their defaults (`RetryPolicy()`, 10 s). A WeCom reached
through a slow proxy wants a longer timeout; the chaos month (`python -m demo_company run
--chaos-seed`) compresses the waits the way it compresses Airflow's retry delay.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from wecomply.errors import UserFacingError
from wecomply.wecom.transport import RetryPolicy


class _Retry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_attempts: int = Field(RetryPolicy.max_attempts, ge=1, le=10)
    initial_wait_s: float = Field(RetryPolicy.initial_wait_s, ge=0, le=60)
    rate_limited_initial_wait_s: float = Field(RetryPolicy.rate_limited_initial_wait_s, ge=0, le=120)
    max_wait_s: float = Field(RetryPolicy.max_wait_s, ge=0, le=300)
    jitter_s: float = Field(RetryPolicy.jitter_s, ge=0, le=60)


class _Tuning(BaseModel):
    timeout_s: float | None = Field(None, gt=0, le=300)
    retry: _Retry | None = None


def client_tuning(conn_id: str, extra: Mapping[str, Any]) -> dict[str, Any]:
    """The client keyword arguments the extra asks for (`timeout`, `retry`); {} for none."""
    try:
        tuning = _Tuning.model_validate({k: extra[k] for k in ("timeout_s", "retry") if k in extra})
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise UserFacingError(
            f"connection {conn_id}: extra.{where}: {problem['msg']}; fix or remove it "
            "(timeout_s: seconds per call, 0 < x ≤ 300; retry: max_attempts 1–10 and waits in seconds)"
        ) from None
    kwargs: dict[str, Any] = {}
    if tuning.timeout_s is not None:
        kwargs["timeout"] = tuning.timeout_s
    if tuning.retry is not None:
        kwargs["retry"] = RetryPolicy(**tuning.retry.model_dump())
    return kwargs
