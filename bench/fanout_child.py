"""One measured fan-out run in its own process, so its peak RSS is its own.

Reads a JSON spec on stdin (the simulator's credentials travel here, not in argv), runs
either our real path or the naive baseline, and prints one JSON line: wall time of the
work (imports and DB migration excluded), peak RSS of this process, and what it saw.

    {"mode": "ours" | "naive", "n": N, "period": "...", "db_url": "...", "conn": {...},
     "personal": false,   # true: a card of each person's own, one message per person
     "first": 0}          # ours: the first member's index (a shard of the simulator's members)
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from bench.children import peak_rss_bytes
from bench.simulation import userids

NAIVE_CONN_ID = "wecom_naive"
DUTY = "training"
STEP = "remind1"


def _card(task_id: str, *, for_user: str | None = None) -> dict[str, Any]:
    """The reminder card; with `for_user`, one naming that person (content of their own)."""
    from wecomply.wecom import messages

    return messages.button_card(
        task_id=task_id,
        title="请完成本月合规培训",
        desc=f"{for_user + '：' if for_user else ''}截止日期 3月14日 / Due 14 March",
        buttons=[messages.Button("我已完成培训", "done")],
    )


def run_ours(spec: dict[str, Any]) -> dict[str, Any]:
    """`wecomply.delivery.deliver` through the real client with the SQL shared stores.

    `"personal": true` gives everyone a card of their own (one message per person, as a
    monthly report or a private result is), instead of one card for all.
    """
    from datetime import datetime, timezone

    import sqlalchemy as sa

    from wecomply.airflow_glue.heap import freeze_startup_heap
    from wecomply.delivery import DeliveryRequest, deliver
    from wecomply.records.db import make_engine, session_factory
    from wecomply.records.shared_stores import SqlPacingStore, SqlTokenStore
    from wecomply.wecom.client import WeComClient

    conn = spec["conn"]
    engine = make_engine(spec["db_url"])
    counts = {"statements": 0, "commits": 0}
    sa.event.listen(engine, "before_cursor_execute", lambda *_: counts.__setitem__("statements", counts["statements"] + 1))
    sa.event.listen(engine, "commit", lambda *_: counts.__setitem__("commits", counts["commits"] + 1))
    ids = userids(spec["n"], spec.get("first", 0))
    freeze_startup_heap()  # as every task of ours does once its start-up is done (`run_context`)
    started_at = time.time()  # for runs in parallel: one span from the first start to the last end
    start = time.perf_counter()
    client = WeComClient(
        conn["base_url"], conn["corp_id"], conn["secret"], conn["agent_id"],
        token_store=SqlTokenStore(engine), pacing_store=SqlPacingStore(engine), timeout=60.0,
    )
    shared = _card("placeholder")
    requests = [
        DeliveryRequest(DUTY, u, spec["period"], STEP, (u,), _card("placeholder", for_user=u) if spec.get("personal") else shared)
        for u in ids
    ]
    report = deliver(
        session_factory(engine), client, requests, now=lambda: datetime.now(timezone.utc), worker_id="bench-fanout"
    )
    wall = time.perf_counter() - start
    engine.dispose()
    return {"wall_s": wall, "started_at": started_at, "summary": report.summary(), "complete": report.complete, **counts}


def run_naive(spec: dict[str, Any]) -> dict[str, Any]:
    """One `message/send` per employee through HttpHook, as a hand-written DAG loop would."""
    from airflow.providers.http.hooks.http import HttpHook

    from wecomply.airflow_glue.heap import freeze_startup_heap

    conn = spec["conn"]
    os.environ[f"AIRFLOW_CONN_{NAIVE_CONN_ID.upper()}"] = json.dumps({"conn_type": "http", "host": conn["base_url"]})
    ids = userids(spec["n"])
    failures = 0
    # The same start-up heap as ours: Airflow freezes its own before forking workers, and
    # the comparison should not hinge on which side's full collections walk it.
    freeze_startup_heap()
    start = time.perf_counter()
    token_response = HttpHook(method="GET", http_conn_id=NAIVE_CONN_ID).run(
        "cgi-bin/gettoken", data={"corpid": conn["corp_id"], "corpsecret": conn["secret"]}
    )
    token = token_response.json()["access_token"]
    hook = HttpHook(method="POST", http_conn_id=NAIVE_CONN_ID)
    for index, user in enumerate(ids):
        # Each employee gets their own card, so each needs its own task_id.
        card = _card(f"naive-{spec['period']}-{index}", for_user=user if spec.get("personal") else None)
        body = {"touser": user, "msgtype": "template_card", "agentid": conn["agent_id"], **card}
        response = hook.run(
            f"cgi-bin/message/send?access_token={token}",
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        if response.json().get("errcode") != 0:
            failures += 1
    wall = time.perf_counter() - start
    return {"wall_s": wall, "failures": failures}


def main() -> int:
    spec = json.loads(sys.stdin.read())
    result = run_ours(spec) if spec["mode"] == "ours" else run_naive(spec)
    result["peak_rss_bytes"] = peak_rss_bytes()
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
