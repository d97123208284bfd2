"""`python -m bench [BENCHMARK [options]]`: run benchmarks, print JSON lines, then ONE table.

    python -m bench                                  # everything, default sizes (long)
    python -m bench fanout --n 1000 10000 100000 --db sqlite postgresql
    python -m bench per-message --n 500 --db sqlite postgresql
    python -m bench directory --n 10000 100000 --latency-ms 0 30
    python -m bench parse --repeat 7
    python -m bench chaos --seeds 50 --db sqlite
    python -m bench chaos-month --seeds 3 --db sqlite postgresql
    python -m bench cycle --n 10000 100000 --db sqlite postgresql
    python -m bench rerun --n 10000 100000
    python -m bench cycle --n 10000 --profile /tmp/prof   # cProfile of each measured month end

Every case prints one JSON line as soon as it is measured (figures, the baseline from the
same run, ratios, targets, the command). The table comes last. Exit status: 0 when every
benchmark ran (missed targets are shown as MISSED), 1 when one crashed, or with --strict
when a target was missed.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
import traceback
from collections.abc import Callable, Iterator
from types import ModuleType

from bench import chaos, chaos_month, cycle, directory, fanout, parse_cost, per_message, rerun
from bench.results import Case, Target, emit, render_table

# The order `python -m bench` runs them in: cheap and decisive first.
BENCHMARKS: dict[str, ModuleType] = {
    fanout.NAME: fanout,
    per_message.NAME: per_message,
    directory.NAME: directory,
    cycle.NAME: cycle,
    parse_cost.NAME: parse_cost,
    rerun.NAME: rerun,
    chaos.NAME: chaos,
    chaos_month.NAME: chaos_month,
}

Runner = Callable[[argparse.Namespace, str], Iterator[Case]]


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when any target is missed")
    parser.add_argument("--verbose", action="store_true", help="show wecomply's warnings (retries, faults)")
    sub = parser.add_subparsers(dest="benchmark")
    subparsers: dict[str, argparse.ArgumentParser] = {}
    for name, module in BENCHMARKS.items():
        p = sub.add_parser(name, help=(module.__doc__ or name).split("\n")[0])
        module.add_arguments(p)
        subparsers[name] = p
    return parser, subparsers


def _crashed(name: str, exc: BaseException, command: str) -> Case:
    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    case = Case(name, "error", command=command, notes=[detail])
    case.targets = [Target("ran", "completes", False, detail[:200])]
    return case


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser, subparsers = build_parser()
    args = parser.parse_args(argv)
    # Fault-injection runs retry thousands of times; each retry is a logged warning.
    logging.getLogger("wecomply").setLevel(logging.INFO if args.verbose else logging.ERROR)
    command = "python -m bench" + ("" if not argv else " " + shlex.join(argv))
    if args.benchmark:
        plan = [(args.benchmark, args)]
    else:
        plan = [(name, subparsers[name].parse_args([])) for name in BENCHMARKS]

    cases: list[Case] = []
    crashed = False
    for name, bench_args in plan:
        run: Runner = BENCHMARKS[name].run
        try:
            for case in run(bench_args, command):
                emit(case)
                cases.append(case)
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            crashed = True
            case = _crashed(name, exc, command)
            emit(case)
            cases.append(case)
            traceback.print_exc(file=sys.stderr)
    print()
    print(render_table(cases))
    notes = [f"- {c.benchmark} {c.case}: {note}" for c in cases for note in c.notes]
    if notes:
        print("\nNotes:")
        print("\n".join(notes))
    if crashed:
        return 1
    if args.strict and not all(c.all_met for c in cases):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
