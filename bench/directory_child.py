"""One measured directory read in its own process (`bench.directory` drives it).

Reads a JSON spec on stdin (the contacts secret travels here, not in argv), reads WeCom's
whole directory the way `directory_sync` does (`wecomply.flows.directory.fetch_directory`)
with the given number of listings in flight, and prints one JSON line: wall and CPU time
of the read (imports excluded), what it found, and this process's peak RSS.

    {"workers": W, "conn": {"base_url": ..., "corp_id": ..., "secret": ...}}
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any

from bench.children import peak_rss_bytes


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run(spec: dict[str, Any]) -> dict[str, Any]:
    from wecomply.airflow_glue.heap import freeze_startup_heap
    from wecomply.flows.directory import fetch_directory
    from wecomply.wecom.client import WeComClient

    conn = spec["conn"]
    client = WeComClient(conn["base_url"], conn["corp_id"], conn["secret"], None, conn_id="wecom_contacts")
    freeze_startup_heap()  # as the directory task does once its start-up is done (`run_context`)
    cpu, wall = _cpu_s(), time.perf_counter()
    departments, details = fetch_directory(client, workers=spec["workers"])
    wall, cpu = time.perf_counter() - wall, _cpu_s() - cpu
    return {
        "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "departments": len(departments), "members": len(details),
        # Everyone's listing, compared by the parent across the two sides.
        "members_digest": hash_members(details),
    }


def hash_members(details: dict[str, dict[str, Any]]) -> str:
    import hashlib

    return hashlib.sha256(json.dumps(details, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def main() -> int:
    result = run(json.loads(sys.stdin.read()))
    result["peak_rss_bytes"] = peak_rss_bytes()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
