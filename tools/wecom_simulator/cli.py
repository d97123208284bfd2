"""`python -m wecom_simulator serve`: run the simulator in the foreground for the demo.

Only the base URL is printed by default; `--print-connections` also prints the Airflow
connection values (this is a fake corp, but its secrets still stay out of logs unless asked).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from wecom_simulator.simulator import WeComSimulator


def connections(sim: WeComSimulator) -> dict[str, dict[str, Any]]:
    """The connection values the demo uses, in Airflow's JSON form (AIRFLOW_CONN_<ID>)."""
    return {
        "wecom_default": {
            "conn_type": "wecom",
            "host": sim.base_url,
            "login": sim.corp_id,
            "password": sim.secret,
            "extra": {"agent_id": sim.agent_id, "token": sim.token, "encoding_aes_key": sim.encoding_aes_key},
        },
        "wecom_contacts": {
            "conn_type": "wecom",
            "host": sim.base_url,
            "login": sim.corp_id,
            "password": sim.contacts_secret,
        },
        "wecom_webhook_default": {
            "conn_type": "wecom_webhook",
            "host": sim.base_url,
            "password": sim.robot_keys[0],
        },
    }


def _load(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise SystemExit(f"{path}: expected an object with departments/users/tags/meetings/checkins")
    return data


def serve(args: argparse.Namespace) -> int:
    sim = WeComSimulator(
        corp_id=args.corp_id or os.environ.get("WECOM_SIM_CORP_ID"),
        secret=os.environ.get("WECOM_SIM_SECRET"),
        contacts_secret=os.environ.get("WECOM_SIM_CONTACTS_SECRET"),
        token=os.environ.get("WECOM_SIM_TOKEN"),
        encoding_aes_key=os.environ.get("WECOM_SIM_ENCODING_AES_KEY"),
        agent_id=args.agent_id,
        seed=args.seed,
        callback_url=args.callback_url,
    )
    sim.config.latency_s = args.latency_ms / 1000
    if args.users:
        sim.load_directory(_load(Path(args.users)))
    # Handlers go in before anything is printed: a caller may stop us right after reading.
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    sim.start(host=args.host, port=args.port)
    print(f"WeCom simulator listening on {sim.base_url}", flush=True)
    if args.write_connections:
        target = Path(args.write_connections)
        target.write_text(json.dumps(connections(sim), ensure_ascii=False, indent=2), encoding="utf-8")
        target.chmod(0o600)
        print(f"connections written to {target}", flush=True)
    if args.print_connections:
        for conn_id, value in connections(sim).items():
            print(f"AIRFLOW_CONN_{conn_id.upper()}='{json.dumps(value, ensure_ascii=False)}'", flush=True)
    done.wait()
    sim.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m wecom_simulator", description="WeCom simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="serve the simulator until interrupted")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=0)
    run.add_argument("--seed", type=int, default=0, help="seeds credentials and ids")
    run.add_argument("--users", help="JSON/YAML with departments, users, tags, meetings, checkins")
    run.add_argument("--corp-id")
    run.add_argument("--agent-id", type=int, default=1000002)
    run.add_argument("--callback-url", help="the receiver URL clicks are sent to by default")
    run.add_argument(
        "--latency-ms", type=float, default=0.0,
        help="answer every API call this much later, as WeCom across the internet would (default 0)",
    )
    run.add_argument("--write-connections", metavar="FILE", help="write the connection JSON (mode 600)")
    run.add_argument("--print-connections", action="store_true", help="print AIRFLOW_CONN_* values")
    args = parser.parse_args(argv)
    return serve(args)


if __name__ == "__main__":
    sys.exit(main())
