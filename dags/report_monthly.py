"""
### 合规月报 · Monthly compliance reports

**制度依据 / Policy:** 管理人员每月收到本部门的合规报告 / managers receive a monthly report
covering their department (v1 §6.3 考核结果反馈, v2 §7).

**触发 / Trigger:** 月度考核结果写入后（资产 `wecomply_assessment_results`）——报告跟随数据，
而不是时钟。月份取自资产事件的 `extra["period"]`，否则为运行日期的上一个月；手动运行可在
conf 中给出 `{"period": "2026-03"}`。
Runs when the monthly assessment publishes its results (the asset), so the report follows
the data, not the clock. The month is the asset event's `extra["period"]`, else the month
before the run's date; a manual run may pass `{"period": "YYYY-MM"}`.

1. 汇总：按部门与月份在数据库中分组统计（全公司 + 每个部门，近 6 个月趋势）。
2. 生成：每个范围一份自包含 HTML（中文；策略语言为英文时另出英文版）与企业微信 markdown 摘要。
3. 归档：写入 `ObjectStoragePath`（Variable `wecomply_reports_url` 或环境变量
   `WECOMPLY_REPORTS_URL`，默认 `file://<WECOMPLY_DATA_DIR>/reports/`），并写清单与校验和。
4. 发送（非工作时间等待到下一个工作时段）：部门负责人收到本部门摘要与 HTML 文件；公司领导与 HR 收到全公司报告。经发件箱发送，
   重试、清除或重跑不会重复发送。

Aggregate (GROUP BY in the records DB) → render → archive (with a checksummed manifest) →
deliver through the outbox (summary, then the HTML as a file message), waiting for working
hours if the data arrives outside them. The task count does
not depend on the number of departments.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum
from airflow.providers.standard.sensors.date_time import DateTimeSensorAsync
from airflow.sdk import dag, task

from wecomply.airflow_glue.dag_kit import TIMEZONE, DagTag, assets, default_args


@dag(
    dag_id="report_monthly",
    dag_display_name="合规月报 · Monthly compliance reports",
    schedule=[assets()["assessment_results"]],
    start_date=pendulum.datetime(2026, 1, 1, tz=TIMEZONE),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=[DagTag.REPORTS],
    doc_md=__doc__,
)
def report_monthly():
    @task(task_display_name="汇总记录 · Aggregate the records")
    def aggregate(**context) -> dict:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.reports import aggregate_step, archive_from_airflow, month_from_airflow

        archive = archive_from_airflow()
        summary = aggregate_step(run_context(context), month_from_airflow(context), archive)
        return summary | {"archive": archive.url}

    @task(task_display_name="生成报告 · Render HTML and summaries")
    def render(meta: dict) -> dict:
        from wecomply.flows.reports import archive_from_airflow, render_step
        from wecomply.reports.model import Month

        return render_step(Month.parse(meta["month"]), archive_from_airflow(meta["archive"]))

    @task(task_display_name="归档 · Archive with a manifest")
    def archive(meta: dict) -> dict:
        from wecomply.flows.reports import archive_from_airflow, archive_step
        from wecomply.reports.model import Month

        return archive_step(Month.parse(meta["month"]), archive_from_airflow(meta["archive"]))

    @task(task_display_name="企业微信发送 · Deliver in WeCom")
    def deliver(meta: dict, **context) -> dict:
        from wecomply.airflow_glue.runtime import run_context
        from wecomply.flows.reports import archive_from_airflow, deliver_step
        from wecomply.reports.model import Month

        ctx = run_context(context)
        return deliver_step(ctx, Month.parse(meta["month"]), archive_from_airflow(meta["archive"]), ctx.sender)

    # Reports are not urgent: outside working hours (v2 §3.2) the delivery waits, deferred,
    # for the next working window computed when the run aggregated.
    wait = DateTimeSensorAsync(
        task_id="wait_for_working_hours",
        task_display_name="等待工作时间 · Wait for working hours",
        target_time="{{ ti.xcom_pull(task_ids='aggregate')['send_after'] }}",
        timeout=timedelta(days=14),  # longer than any holiday; then the run fails loudly
    )

    meta = aggregate()
    render(meta) >> archive(meta) >> wait >> deliver(meta)


report_monthly()
