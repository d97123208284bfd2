"""`MonthlyReport` ⇄ JSON, so the report DAG's tasks hand reports over through the archive.

The JSON is also the archived, machine-readable copy of every figure (an auditor's
spreadsheet can read it). Decoding follows the model's type hints, so a field added to
the model needs no change here.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

from wecomply.reports import model
from wecomply.reports.model import MonthlyReport

FORMAT_VERSION = 1


@cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    # Looked up once per class: a month's reports are ~300k values, mostly dataclasses.
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None


def encode(value: Any) -> Any:
    names = _field_names(type(value))
    if names is not None:
        return {name: encode(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return [encode(item) for item in value]
    return value


def to_json(report: MonthlyReport) -> str:
    return json.dumps({"format": FORMAT_VERSION, "report": encode(report)}, ensure_ascii=False, sort_keys=True)


def from_json(text: str) -> MonthlyReport:
    document = json.loads(text)
    if document.get("format") != FORMAT_VERSION:
        raise ValueError(f"report JSON format {document.get('format')!r}; this version reads {FORMAT_VERSION}")
    return _decoder(MonthlyReport)(document["report"])


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model))


@cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """A function decoding JSON values of type `kind`, built once per type.

    Render reads back a month's ~500k values; working out each value's type from the
    hints again (union? tuple? dataclass?) for every value made reading a report ~4x
    slower (tests/reports/samples.py's report: 0.56-0.63 ms against 0.15 ms).
    """
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        decode_inner = _decoder(inner)
        return lambda value: None if value is None else decode_inner(value)
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda value: tuple(map(item, value))
        items = tuple(_decoder(arg) for arg in args)
        return lambda value: tuple(d(v) for d, v in zip(items, value, strict=True))
    if dataclasses.is_dataclass(kind):
        hints = _hints(kind)
        fields = tuple((f.name, _decoder(hints[f.name])) for f in dataclasses.fields(kind))
        # A field missing from the JSON (written before it existed) takes its default.
        return lambda value: kind(**{name: d(value[name]) for name, d in fields if name in value})
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind
    if kind is datetime:
        return datetime.fromisoformat
    if kind is date:
        return date.fromisoformat
    if kind is float:
        return lambda value: value if value is None else float(value)
    return _as_is


def _as_is(value: Any) -> Any:
    return value
