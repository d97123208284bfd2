"""Reading what people type into the DAG forms (Params) and the CLI: times, id lists, text.

Errors name the form field (or CLI option) and the expected format, so the person who
triggered the run can fix it from the task log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from wecomply.errors import UserFacingError
from wecomply.policy.calendar import SHANGHAI

TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
TIME_HELP = '"YYYY-MM-DD HH:MM"（北京时间 / Asia/Shanghai）或带时区的 ISO 8601 / or ISO 8601 with an offset'


def parse_time(value: Any, field: str, *, required: bool = False) -> datetime | None:
    """A moment typed as "2026-03-12 19:05" (Asia/Shanghai) or as ISO 8601 with an offset."""
    text = str(value or "").strip()
    if not text:
        if required:
            raise UserFacingError(f"表单字段 {field} 不能为空 / field {field} is required: use {TIME_HELP}")
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
        for fmt in TIME_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise UserFacingError(f"表单字段 {field} 的时间 {text!r} 无法识别 / field {field}: cannot read {text!r}; use {TIME_HELP}")
    return parsed.replace(tzinfo=SHANGHAI) if parsed.tzinfo is None else parsed


def id_list(value: Any, field: str, *, kind: type = str) -> list[Any]:
    """A list from the form (a JSON array) or the CLI ("a,b c"); ints for department/tag ids."""
    if value is None or value == "":
        return []
    items: Iterable[Any] = value if isinstance(value, (list, tuple)) else str(value).replace(",", " ").split()
    out: list[Any] = []
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        if kind is int:
            if not text.lstrip("-").isdigit():
                raise UserFacingError(f"表单字段 {field} 只能填写数字编号，得到 {text!r} / field {field}: ids must be numbers, got {text!r}")
            out.append(int(text))
        else:
            out.append(text)
    return list(dict.fromkeys(out))


def text_value(value: Any, field: str, *, required: bool = False, limit: int | None = None) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise UserFacingError(f"表单字段 {field} 不能为空 / field {field} is required")
    if limit is not None and len(text) > limit:
        raise UserFacingError(
            f"表单字段 {field} 过长（{len(text)} 字，最多 {limit}）/ field {field} is too long "
            f"({len(text)} characters, at most {limit}); shorten it or link a document"
        )
    return text


def submitted_form(context: Any) -> dict[str, Any]:
    """What this run's trigger submitted (the Params form, or the API's `conf`).

    Read from the run's own conf rather than `context["params"]`: Airflow merges a run's conf
    into the DAG's shared `Param` objects, so in one process (dag.test, the demo month) a
    form value would otherwise leak into later runs that submitted nothing.
    """
    dag_run = context.get("dag_run")
    conf = getattr(dag_run, "conf", None) or {}
    return dict(conf)
