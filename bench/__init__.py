"""WeComply benchmarks and long fault-injection runs: `python -m bench` (see `__main__`).

Each benchmark module measures our real path and, in the same run, a baseline; it prints
one JSON line per case (figures, baseline, ratios, targets) and contributes rows to the
single table `python -m bench` prints at the end.
"""
