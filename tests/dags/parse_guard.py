"""Parse every DAG file with network, database and file access made to fail.

Run as a subprocess (`python parse_guard.py FOLDER`) so the guards never leak into the
test session. Prints one JSON object: {file: problem} for each file that failed.
`import airflow.sdk` happens before the guards: it is the floor every DAG pays, not I/O
the DAG file itself does.
"""

from __future__ import annotations

import builtins
import importlib.util
import json
import socket
import sqlite3
import sys
import traceback
from pathlib import Path

import airflow.sdk  # noqa: F401


class ParseTimeIO(RuntimeError):
    pass


def _blocked(what: str):
    def refuse(*args, **kwargs):
        raise ParseTimeIO(f"{what} at DAG parse time; move it inside a task")

    return refuse


def install_guards() -> None:
    socket.socket.connect = _blocked("network connect")  # type: ignore[method-assign]
    socket.create_connection = _blocked("network connect")
    socket.getaddrinfo = _blocked("DNS lookup")
    sqlite3.connect = _blocked("database connect")
    builtins.open = _blocked("file open")
    try:
        import psycopg2

        psycopg2.connect = _blocked("database connect")
    except ImportError:
        pass


def main(folder: Path) -> dict[str, str]:
    problems: dict[str, str] = {}
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    install_guards()
    for path in files:
        spec = importlib.util.spec_from_file_location(f"_parse_guard_{path.stem}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except BaseException as exc:  # noqa: BLE001 - any failure is a finding
            last = traceback.format_exception_only(type(exc), exc)[-1].strip()
            problems[path.name] = last
    return problems


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1])), ensure_ascii=False))
