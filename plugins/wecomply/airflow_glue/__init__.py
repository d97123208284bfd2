"""Airflow glue: hooks, operators, notifier, callback app and DAG conventions."""
