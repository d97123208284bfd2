"""Benchmark 3, parse cost: import each DAG file in a fresh interpreter.

Each run is a new process (`bench/parse_probe.py`) that times `import airflow.sdk`, then
the file itself. The baseline is a bare `airflow.sdk` DAG (one @dag, one @task) written
to a temporary folder and measured in the same run, interleaved with the real files so
machine noise hits both alike. Figures are medians over `--repeat` runs; the target is
at most 50 ms over the bare DAG for every file.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.results import Case, Target, ratio
from demo_company.airflow_settings import project_airflow_env

NAME = "parse"
ROOT = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).resolve().parent / "parse_probe.py"
TARGET_OVER_BARE_MS = 50.0
BARE_DAG = '''"""Bare airflow.sdk DAG: the parse-cost baseline."""

from datetime import datetime

from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["bench"])
def bare_dag():
    @task
    def noop() -> None:
        return None

    noop()


bare_dag()
'''


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeat", type=int, default=7, help="fresh-process runs per file (median taken)")
    parser.add_argument("--dags-folder", type=Path, default=ROOT / "dags")
    parser.add_argument("--files", nargs="*", default=None, help="only these DAG files (names in the folder)")


def _env(home: Path) -> dict[str, str]:
    return dict(os.environ) | project_airflow_env(home, home / "data")


def probe(path: Path, dags_folder: Path, env: dict[str, str]) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, str(PROBE), str(path), str(dags_folder), str(ROOT / "plugins")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1][:300]}
    return json.loads(lines[-1])


def dag_files(folder: Path, only: list[str] | None) -> list[Path]:
    files = sorted(p for p in folder.glob("*.py") if not p.name.startswith("_"))
    if only:
        files = [p for p in files if p.name in only]
    return files


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 1)


def run(args: argparse.Namespace, command: str) -> Iterator[Case]:
    files = dag_files(args.dags_folder, args.files)
    with tempfile.TemporaryDirectory(prefix="wecomply-bench-parse-") as tmp:
        bare = Path(tmp) / "bare_dag.py"
        bare.write_text(BARE_DAG, encoding="utf-8")
        env = _env(Path(tmp) / "airflow-home")
        # Warm the OS file cache and .pyc files once, unmeasured, so run 1 is not an outlier.
        for path in [bare, *files]:
            probe(path, args.dags_folder, env)
        samples: dict[Path, list[dict[str, object]]] = {p: [] for p in [bare, *files]}
        for round_number in range(1, args.repeat + 1):
            for path in [bare, *files]:
                samples[path].append(probe(path, args.dags_folder, env))
            print(f"parse: round {round_number}/{args.repeat} done", file=sys.stderr, flush=True)

    bare_runs = samples[bare]
    bare_errors = [r["error"] for r in bare_runs if "error" in r]
    if bare_errors:
        raise RuntimeError(f"the bare baseline DAG failed to parse: {bare_errors[0]}")
    bare_ms = _median_ms([float(r["file_s"]) for r in bare_runs])  # type: ignore[arg-type]
    sdk_samples = [float(r["sdk_import_s"]) for runs in samples.values() for r in runs if "sdk_import_s" in r]  # type: ignore[arg-type]
    sdk_ms = _median_ms(sdk_samples)

    sdk_case = Case(NAME, "import airflow.sdk", command=command)
    sdk_case.ours = {"import_s": round(sdk_ms / 1000, 3), "repeats": args.repeat * (len(files) + 1)}
    sdk_case.notes.append("the floor every DAG file pays; excluded from the per-file figures")
    yield sdk_case

    for path in files:
        runs = samples[path]
        errors = [str(r["error"]) for r in runs if "error" in r]
        case = Case(NAME, path.name, command=command)
        case.baseline = {
            "import_s": round(bare_ms / 1000, 4),
            "file": "bare_dag.py (@dag + one @task)",
            "samples_ms": [round(float(r["file_s"]) * 1000, 1) for r in bare_runs],  # type: ignore[arg-type]
        }
        if errors:
            case.ours = {"error": errors[0]}
            case.targets.append(Target("over_bare_ms", f"≤ {TARGET_OVER_BARE_MS:g} ms", False, "file failed to parse"))
            yield case
            continue
        file_ms = _median_ms([float(r["file_s"]) for r in runs])  # type: ignore[arg-type]
        over = round(file_ms - bare_ms, 1)
        case.ours = {
            "import_s": round(file_ms / 1000, 4),
            "over_bare_ms": over,
            "dags": runs[0]["dags"],
            "samples_ms": [round(float(r["file_s"]) * 1000, 1) for r in runs],  # type: ignore[arg-type]
        }
        case.ratio = {"import_s": ratio(bare_ms, file_ms)}
        note = "" if over <= TARGET_OVER_BARE_MS else f"{over - TARGET_OVER_BARE_MS:.1f} ms over the limit"
        case.targets.append(Target("over_bare_ms", f"≤ {TARGET_OVER_BARE_MS:g} ms", over <= TARGET_OVER_BARE_MS, note))
        if not runs[0]["dags"]:
            case.targets.append(Target("dags", "≥ 1 DAG defined", False))
        yield case
