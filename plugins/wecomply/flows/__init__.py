"""Application flows: what one DAG task does, independent of Airflow.

A flow reads the records for the run's logical time, asks the pure decisions in
`wecomply.duties` what is due, records new assignments, and sends the resulting actions
through the outbox (`wecomply.delivery`). DAG tasks only build a `RunContext` and call a
flow, so every flow is testable with a session factory and a WeCom client alone.
"""
