"""Pure duty decisions: who is due, overdue, escalated or scored.

Plain typed functions over the dataclasses in `wecomply.duties.model`, the run's logical
time, the `Policy` and the `WorkCalendar`. No database, HTTP or Airflow imports, and no
clock reads: every function takes `now`.
"""
