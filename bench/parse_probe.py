"""Time one DAG file's import in a fresh interpreter (run as a script, not as `-m bench...`,
so nothing but the interpreter's start-up precedes the measurement).

    python bench/parse_probe.py DAG_FILE DAGS_FOLDER PLUGINS_FOLDER

Prints one JSON line: `sdk_import_s` (import airflow.sdk), `file_s` (executing the file
after that), `dags` (DAG objects the file defined) or `error`.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time


def main(path: str, dags_folder: str, plugins_folder: str) -> dict[str, object]:
    # Airflow puts both folders on sys.path before it parses DAG files.
    sys.path[:0] = [dags_folder, plugins_folder]
    start = time.perf_counter()
    import airflow.sdk
    from airflow.sdk.definitions._internal.contextmanager import DagContext

    sdk_done = time.perf_counter()

    name = "bench_parsed_dag"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    # As the DagBag does: DAGs built by calling a @dag function register themselves.
    DagContext.current_autoregister_module_name = name
    try:
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - reported, not raised: the table shows it
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}
    file_done = time.perf_counter()
    dag_ids = {value.dag_id for value in vars(module).values() if isinstance(value, airflow.sdk.DAG)}
    dag_ids |= {dag.dag_id for dag, _ in DagContext.autoregistered_dags}
    return {"sdk_import_s": sdk_done - start, "file_s": file_done - sdk_done, "dags": len(dag_ids)}


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4])))
