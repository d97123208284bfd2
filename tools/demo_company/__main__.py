"""`python -m demo_company run|airflow`: the demo behind `make demo` and `make airflow`."""

from __future__ import annotations

import argparse
import json
import os
import sys
import warnings
from pathlib import Path

# Deprecations raised inside Airflow 3.3 and the libraries it calls, on every demo run,
# that nothing of ours can change; they would be the first lines HR sees. Matched by
# message, so any other warning (ours included) still shows.
UPSTREAM_DEPRECATIONS = (
    r"Using `httpx` with `starlette\.testclient` is deprecated",  # Airflow's execution API, through svcs
    r"The `airflow\.utils\.operator_helpers\.determine_kwargs` attribute is deprecated",  # the standard provider
    r"GitWildMatchPattern \('gitwildmatch'\) is deprecated",  # Airflow's DAG-folder ignore rules
)


def _paths() -> tuple[Path, Path]:
    airflow_home = Path(os.environ.get("AIRFLOW_HOME", ".airflow")).resolve()
    data_dir = Path(os.environ.get("WECOMPLY_DATA_DIR", "data")).resolve()
    return airflow_home, data_dir


def run(args: argparse.Namespace) -> int:
    airflow_home, data_dir = _paths()
    airflow_home.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    # A fresh, reproducible month: the demo's records and Airflow runs start empty.
    for stale in (data_dir / "wecomply.db", airflow_home / "airflow.db"):
        stale.unlink(missing_ok=True)
    from airflow.utils import db

    db.initdb()
    from demo_company import killed_worker
    from demo_company.chaos import CLIENT_EXTRA, ChaosSettings, compress_retries
    from demo_company.month import Event, demo_world, run_month, seed_records
    from demo_company.scenario_events import month_end, scenario_events
    from demo_company.summary import month_summary, print_summary

    out_dir = Path(args.out).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    chaos = ChaosSettings(args.chaos_seed, args.fault_rate) if args.chaos_seed is not None else None
    # The benchmarks run the month on PostgreSQL too (a URL is kept out of argv).
    records_url = os.environ.get("WECOMPLY_DEMO_RECORDS_URL") or f"sqlite:///{data_dir / 'wecomply.db'}"
    with demo_world(
        records_url, out_dir, n_employees=args.employees, seed=args.seed,
        client_extra=CLIENT_EXTRA if chaos else None,
    ) as world:
        first = world.company.scenario.working_days[0]
        from datetime import datetime, time

        from demo_company.month import SHANGHAI

        seed_at = datetime.combine(first, time(8, 45), SHANGHAI)
        extra = [Event(seed_at, "call", call=lambda: seed_records(world, data_dir / "demo-roster.csv"))]
        if chaos:
            compress_retries(world.dagbag)
            extra += chaos.day_events(world, args.days)
            world.killed_worker = killed_worker.plan(world, args.days, args.chaos_seed)
        run_month(world, extra + scenario_events(world), days=args.days)
        reports = month_end(world)
        summary = month_summary(world)
        (out_dir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        print_summary(summary, reports)
        secrets_file = os.environ.get("WECOMPLY_DEMO_SECRETS_FILE")
        if secrets_file:
            # Test hook for the secret scan: the simulated corp's secrets, written where the
            # scan does not look, so the scan knows what must never appear anywhere else.
            Path(secrets_file).write_text(json.dumps(_secrets_of(world.sim)), encoding="utf-8")
    return 1 if summary["failed_runs"] else 0


def _secrets_of(sim) -> list[str]:
    values = [sim.secret, sim.contacts_secret, sim.token, sim.encoding_aes_key, *sim.robot_keys, *sim.tokens]
    return sorted({str(v) for v in values if v})


def airflow(args: argparse.Namespace) -> int:
    from demo_company.standalone import run_standalone

    return run_standalone(port=args.port)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo_company")
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run the demo month against the WeCom simulator")
    p_run.add_argument("--out", default="out")
    p_run.add_argument("--employees", type=int, default=200)
    p_run.add_argument("--seed", type=int, default=7)
    p_run.add_argument("--days", type=int, help="run only the month's first DAYS days, then its month end")
    p_run.add_argument("--chaos-seed", type=int, help="the chaos month: WeCom faults calls at random (see demo_company.chaos)")
    p_run.add_argument("--fault-rate", type=float, default=0.3, help="with --chaos-seed: the share of API calls faulted")
    p_run.set_defaults(handler=run)
    p_af = sub.add_parser("airflow", help="airflow standalone on 127.0.0.1 with the demo's runs")
    p_af.add_argument("--port", type=int, default=8080)
    p_af.set_defaults(handler=airflow)
    args = parser.parse_args(argv)
    from demo_company.airflow_settings import project_airflow_env
    from demo_company.environment import demo_fernet_key
    from wecomply.errors import UserFacingError

    # The demo's Airflow is its own, whatever the caller's environment says: it starts from
    # an empty metadata DB (`run` deletes airflow.db), which must never be someone else's.
    airflow_home, data_dir = _paths()
    os.environ.update(project_airflow_env(airflow_home, data_dir))
    # An empty value is no key (Airflow would store values unencrypted): the demo's own is used.
    if not os.environ.get("AIRFLOW__CORE__FERNET_KEY"):
        try:
            os.environ["AIRFLOW__CORE__FERNET_KEY"] = demo_fernet_key(airflow_home)
        except UserFacingError as exc:
            print(f"demo_company: {exc}", file=sys.stderr)
            return 2
    _quiet_upstream_deprecations()
    return args.handler(args)


def _quiet_upstream_deprecations() -> None:
    # Importing Airflow's configuration puts its own filter first ("default" for every
    # DeprecationWarning raised in airflow.*); ours must come after that import to go in
    # front of it.
    import airflow.configuration  # noqa: F401

    for message in UPSTREAM_DEPRECATIONS:
        warnings.filterwarnings("ignore", message=message)


if __name__ == "__main__":
    sys.exit(main())
