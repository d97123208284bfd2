"""The cycle benchmark's Airflow home holds the DAGs the cycle runs and no other, since
every `dag.test()` parses and serialises its whole DAG folder again."""

from __future__ import annotations

from pathlib import Path

from bench.cycle import FIRST_SYNC, MONTH_END, cycle_dags_folder

ROOT = Path(__file__).resolve().parents[2]


def test_the_cycle_folder_holds_exactly_the_dags_it_runs(tmp_path: Path, airflow_db) -> None:
    from airflow.dag_processing.dagbag import DagBag

    folder = cycle_dags_folder(tmp_path)
    bag = DagBag(dag_folder=str(folder))
    assert not bag.import_errors, bag.import_errors
    assert set(bag.dag_ids) == {run["dag_id"] for run in (FIRST_SYNC, *MONTH_END)}
    assert set(bag.dag_ids) == {"directory_sync", "assessment_monthly", "report_monthly"}
    for path in folder.iterdir():
        assert path.read_bytes() == (ROOT / "dags" / path.name).read_bytes(), path.name
