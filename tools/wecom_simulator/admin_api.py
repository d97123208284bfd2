"""`/_sim/...`: inspection and control over HTTP, for a simulator run by the CLI in its own
process (the demo). Not part of WeCom's API; never counted in `calls()`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wecom_simulator.errcodes import ApiError
from wecom_simulator.http_types import Outcome, Request, json_outcome

if TYPE_CHECKING:
    from wecom_simulator.simulator import WeComSimulator


def _body(req: Request) -> dict[str, Any]:
    try:
        return req.json()
    except ApiError:
        return {}


def handle_admin(sim: WeComSimulator, req: Request) -> Outcome:
    action = req.path.removeprefix("/_sim/")
    q = req.query
    try:
        if action == "received":
            return json_outcome({"received": sim.received(q["userid"])})
        if action == "robot_messages":
            return json_outcome({"messages": sim.robot_messages(q["key"])})
        if action == "stats":
            return json_outcome(sim.stats())
        if req.method != "POST":
            return json_outcome({"error": f"unknown admin action {action!r}"}, status=404)
        body = _body(req)
        if action == "click":
            status = sim.click(
                body["userid"], body["task_id"], body["button_key"], body.get("callback_url"),
                tamper=body.get("tamper"), retries=int(body.get("retries", 0)),
            )
            return json_outcome({"status": status})
        if action == "clock/advance":
            return json_outcome({"now": sim.clock.advance(float(body["seconds"]))})
        if action == "reset":
            sim.reset(tokens=bool(body.get("tokens", False)))
            return json_outcome({"ok": True})
        if action == "revoke_tokens":
            return json_outcome({"revoked": sim.revoke_tokens()})
        if action == "faults":
            sim.faults.add(body["path"], body["kind"], int(body.get("times", 1)),
                           after_processing=bool(body.get("after_processing", False)))
            return json_outcome({"pending": sim.faults.pending})
    except (KeyError, ValueError) as exc:
        return json_outcome({"error": f"{type(exc).__name__}: {exc}"}, status=400)
    return json_outcome({"error": f"unknown admin action {action!r}"}, status=404)
