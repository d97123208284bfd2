"""The monthly report run: which month, where the archive lives, and delivery in WeCom.

Each department head receives their department's markdown summary and then the HTML
report as a file message; leadership and HR receive the company report the same way.
Every message goes through the outbox, keyed (monthly_report, scope, month, step), so a
retried or cleared task never sends a report twice.

The file needs a `media_id` from `media/upload`, valid for three days. It is uploaded in
the sending task, right before the outbox freezes the message body:
- upload done, then the task died before planning: the retry uploads again (the first
  upload is never used and expires on its own);
- upload done and the body frozen, but the send failed: the retry resends the frozen body
  with the same `media_id`, without uploading again;
- the send may have happened: the outbox resends the identical body only inside WeCom's
  duplicate-check window, otherwise reports it in doubt; it is never uploaded or sent anew;
- the frozen `media_id` is older than it may be trusted (a task cleared days later) and
  the message was definitely not sent: that delivery is closed as failed ("media expired")
  and the file goes out under the next step (`file-2`, …) with a fresh upload.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final, Protocol

import sqlalchemy as sa
from sqlalchemy.orm import Session

from wecomply import templating
from wecomply.delivery import DeliveryReport, DeliveryRequest, deliver, settled_summary
from wecomply.errors import UserFacingError
from wecomply.flows.context import RunContext
from wecomply.flows.people import active_userids, function_members
from wecomply.flows.send import DeliveriesStillOwed
from wecomply.policy.calendar import SHANGHAI
from wecomply.policy.config import Policy
from wecomply.records import models, outbox
from wecomply.records.db import default_data_dir
from wecomply.reports.archive import (
    ReportArchive,
    ScopeEntry,
    render_month,
    report_locales,
    seal_month,
    write_month_data,
)
from wecomply.reports.model import Month
from wecomply.wecom import messages

DUTY: Final = "monthly_report"
STEP_SUMMARY: Final = "summary"
STEP_FILE: Final = "file"
MAX_FILE_GENERATIONS: Final = 5
REPORTS_URL_ENV: Final = "WECOMPLY_REPORTS_URL"
REPORTS_URL_VARIABLE: Final = "wecomply_reports_url"
# WeCom keeps a media_id for 3 days; a frozen one older than this is not trusted any more.
MEDIA_REUSE_LIMIT: Final = timedelta(days=3) - timedelta(hours=2)
MEDIA_EXPIRED: Final = "media expired before sending; uploaded again under the next step"
_MEDIA_ERRCODE: Final = "errcode 40007"  # invalid media_id
_UNSAFE_FILENAME: Final = re.compile(r'[\\/:*?"<>|\s]+')


class MediaUploader(Protocol):
    def upload_media(self, filename: str, data: bytes, type: str = "file") -> str: ...


# --- which month, which archive -----------------------------------------------------------------


def report_month(*, requested: str | None, event_periods: Iterable[str | None], run_time: datetime) -> Month:
    """The month to report on: `dag_run.conf["period"]`, else the latest `period` of the
    triggering asset events, else the month before the run's (Asia/Shanghai) date."""
    if requested:
        return _parse_period(requested, "dag_run.conf.period")
    periods = sorted({str(p) for p in event_periods if p})
    if periods:
        return _parse_period(periods[-1], "assessment_results asset event extra.period")
    return Month.of(run_time.astimezone(SHANGHAI).date()).previous()


def _parse_period(text: str, where: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError:
        raise UserFacingError(
            f"{where} = {text!r}：月份格式应为 YYYY-MM / must be a month written YYYY-MM, e.g. 2026-03"
        ) from None


def default_reports_url() -> str:
    return (default_data_dir() / "reports").resolve().as_uri() + "/"


def reports_url(variable_value: str | None = None) -> str:
    """Airflow Variable `wecomply_reports_url`, else env `WECOMPLY_REPORTS_URL`, else
    `file://<WECOMPLY_DATA_DIR>/reports/`."""
    for candidate in (variable_value, os.environ.get(REPORTS_URL_ENV)):
        if candidate and candidate.strip():
            return candidate.strip()
    return default_reports_url()


# --- the steps ------------------------------------------------------------------------------------


def aggregate_step(ctx: RunContext, month: Month, archive: ReportArchive) -> dict[str, Any]:
    with ctx.sessions.begin() as session:
        index, written = write_month_data(
            month, archive, session=session, policy=ctx.policy, calendar=ctx.calendar,
            locales=report_locales(ctx.policy), as_of=ctx.now,
        )
    return {
        "month": str(month),
        "data_written": written,
        # Delivery waits for working hours (v2 §3.2): reports are never urgent.
        "send_after": ctx.calendar.next_working_window(ctx.clock()).isoformat(),
        "locales": list(index.locales),
        "scopes": len(index.scopes),
        "departments": sum(1 for s in index.scopes if s.kind == "department"),
    }


def render_step(month: Month, archive: ReportArchive) -> dict[str, Any]:
    index, rendered = render_month(month, archive)
    return {"month": str(month), "rendered": rendered, "unchanged": len(index.scopes) * len(index.locales) - rendered}


def archive_step(month: Month, archive: ReportArchive) -> dict[str, Any]:
    manifest = seal_month(month, archive)
    return {
        "month": str(month),
        "files": len(manifest["files"]),
        "bytes": sum(f["bytes"] for f in manifest["files"]),
        "manifest": str(archive.manifest(month)),
    }


def deliver_step(ctx: RunContext, month: Month, archive: ReportArchive, uploader: MediaUploader) -> dict[str, int]:
    """Send every scope's summary, then its HTML file; raises while anything is still owed."""
    manifest = archive.read_manifest(month)
    locale = ctx.locale if ctx.locale in manifest["locales"] else manifest["locales"][0]
    scopes = [ScopeEntry(**scope) for scope in manifest["scopes"]]
    today = ctx.now.astimezone(SHANGHAI).date()
    period = str(month)
    with ctx.sessions.begin() as session:
        targets, unaddressed = _targets(session, ctx.policy, scopes, today)
        settled = _all_sent(session, period, [scope.id for scope, _ in targets])
    if settled:
        # What the path below returns when it finds every delivery done (a cleared or
        # re-run month), without reading 1,000 summaries and three times 1,000 states.
        done = settled_summary(len(targets), {models.DeliveryStatus.SENT: len(targets)})
        media = {"uploads": 0, "media_reused": len(targets), "media_expired": 0}
        return _result(len(scopes), len(targets), unaddressed, done, done, media)

    summaries = [
        DeliveryRequest(
            duty=DUTY, subject=scope.id, period=period, step=STEP_SUMMARY, recipients=recipients,
            payload=messages.markdown(archive.summary(month, locale, scope.id).read_bytes().decode("utf-8")),
        )
        for scope, recipients in targets
    ]
    summary_report = _deliver(ctx, summaries)
    files, media = _file_requests(ctx, month, archive, targets, locale, uploader)
    file_report = _deliver(ctx, files)

    result = _result(len(scopes), len(targets), unaddressed, summary_report.summary(), file_report.summary(), media)
    if result["pending"]:
        errors = (summary_report.errors + file_report.errors)[:3]
        raise DeliveriesStillOwed(
            f"{result['pending']} report deliveries still owed after this attempt ({errors}); "
            "the task will be retried and sends only what is owed"
        )
    return result


def _result(
    scopes: int, addressed: int, unaddressed: int,
    summaries: Mapping[str, int], files: Mapping[str, int], media: Mapping[str, int],
) -> dict[str, int]:
    """The step's outcome from the two deliveries' summaries (`DeliveryReport.summary()`)."""
    return {
        "scopes": scopes,
        "addressed": addressed,
        "without_recipient": unaddressed,
        "summaries_sent": summaries["sent"],
        "files_sent": files["sent"],
        **{key: summaries[key] + files[key] for key in ("already_done", "in_doubt", "failed", "pending")},
    } | dict(media)


def _all_sent(session: Session, period: str, subjects: Sequence[str]) -> bool:
    """Whether every subject's summary and first file message are sent. Anything else (a
    file sent under a later step, a failure, a send in doubt) takes the full path."""
    keys = {outbox.DeliveryKey(DUTY, subject, period, step) for subject in subjects for step in (STEP_SUMMARY, STEP_FILE)}
    return outbox.sent_keys(keys, session=session) == keys


def _deliver(ctx: RunContext, requests: Sequence[DeliveryRequest]) -> DeliveryReport:
    return deliver(
        ctx.sessions, ctx.sender, requests, now=ctx.clock, worker_id=ctx.worker_id,
        duplicate_check_interval=ctx.policy.wecom_actions.duplicate_check_interval_s,
    )


# --- recipients -------------------------------------------------------------------------------------


def _targets(
    session: Session, policy: Policy, scopes: Sequence[ScopeEntry], today: date
) -> tuple[list[tuple[ScopeEntry, tuple[str, ...]]], int]:
    heads = {s.head_userid for s in scopes if s.head_userid}
    active = active_userids(session, heads, today)
    company = function_members(session, policy, ("leadership", "hr"), today) or function_members(
        session, policy, ("admin",), today
    )
    targets: list[tuple[ScopeEntry, tuple[str, ...]]] = []
    unaddressed = 0
    for scope in scopes:
        if scope.kind == "company":
            recipients = company
        else:
            recipients = (scope.head_userid,) if scope.head_userid in active else ()
        if recipients:
            targets.append((scope, recipients))
        else:
            unaddressed += 1
    return targets, unaddressed


# --- the file message -----------------------------------------------------------------------------


def file_step(generation: int) -> str:
    return STEP_FILE if generation == 1 else f"{STEP_FILE}-{generation}"


def upload_filename(month: Month, scope_name: str, locale: str) -> str:
    """What recipients see as the file's name, e.g. 企业微信合规月报-2026-03-销售部.html."""
    title = templating.message("reports", "report.title", locale)
    return _UNSAFE_FILENAME.sub("_", f"{title}-{month}-{scope_name}")[:120] + ".html"


def _file_requests(
    ctx: RunContext,
    month: Month,
    archive: ReportArchive,
    targets: Sequence[tuple[ScopeEntry, tuple[str, ...]]],
    locale: str,
    uploader: MediaUploader,
) -> tuple[list[DeliveryRequest], dict[str, int]]:
    period = str(month)
    keys = [
        outbox.DeliveryKey(DUTY, scope.id, period, file_step(g))
        for scope, _ in targets
        for g in range(1, MAX_FILE_GENERATIONS + 1)
    ]
    plans: list[tuple[ScopeEntry, tuple[str, ...], int, dict[str, Any] | None]] = []
    expired = 0
    with ctx.sessions.begin() as session:
        states = outbox.delivery_states(keys, session=session)
        batches = _batches(session, {s.batch_id for s in states.values() if s.batch_id is not None})
        now = ctx.clock()
        for scope, recipients in targets:
            for generation in range(1, MAX_FILE_GENERATIONS + 1):
                state = states.get(outbox.DeliveryKey(DUTY, scope.id, period, file_step(generation)))
                batch = batches.get(state.batch_id) if state is not None and state.batch_id is not None else None
                if state is None or batch is None:
                    plans.append((scope, recipients, generation, None))
                    break
                if state.status is models.DeliveryStatus.FAILED and _media_failure(batch.last_error):
                    continue
                if (
                    state.status is models.DeliveryStatus.QUEUED
                    and batch.status == models.BatchStatus.READY.value
                    and not batch.maybe_sent
                    and now - batch.created_at > MEDIA_REUSE_LIMIT
                ):
                    outbox.fail_batch(batch.id, session=session, now=now, error=MEDIA_EXPIRED)
                    expired += 1
                    continue
                frozen = json.loads(batch.body)
                plans.append((scope, recipients, generation, {"msgtype": "file", "file": frozen["file"]}))
                break
            else:
                raise RuntimeError(
                    f"report {scope.id} {period}: {MAX_FILE_GENERATIONS} file deliveries failed on expired media; "
                    "check the WeCom app's media permissions"
                )
    requests: list[DeliveryRequest] = []
    uploads = 0
    for scope, recipients, generation, payload in plans:
        if payload is None:
            data = archive.html(month, locale, scope.id).read_bytes()
            payload = messages.file(uploader.upload_media(upload_filename(month, scope.name, locale), data, "file"))
            uploads += 1
        requests.append(DeliveryRequest(
            duty=DUTY, subject=scope.id, period=period, step=file_step(generation), recipients=recipients, payload=payload,
        ))
    return requests, {"uploads": uploads, "media_reused": len(plans) - uploads, "media_expired": expired}


def _media_failure(error: str | None) -> bool:
    return bool(error) and (MEDIA_EXPIRED in error or _MEDIA_ERRCODE in error)  # type: ignore[operator]


def _batches(session: Session, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    b = models.DeliveryBatch.__table__
    rows = session.execute(
        sa.select(b.c.id, b.c.status, b.c.maybe_sent, b.c.created_at, b.c.body, b.c.last_error).where(b.c.id.in_(sorted(ids)))
    )
    return {row.id: row for row in rows}


# --- the Airflow side (imported inside tasks only) ---------------------------------------------------


def month_from_airflow(context: Any) -> Month:
    from wecomply.airflow_glue.runtime import logical_time

    dag_run = context.get("dag_run")
    conf = getattr(dag_run, "conf", None) or {}
    periods: list[str | None] = []
    events = context.get("triggering_asset_events") or {}
    for asset_events in events.values():
        for event in asset_events:
            periods.append((getattr(event, "extra", None) or {}).get("period"))
    return report_month(requested=conf.get("period"), event_periods=periods, run_time=logical_time(context))


def archive_from_airflow(url: str | None = None) -> ReportArchive:
    from airflow.sdk import ObjectStoragePath, Variable

    if url is None:
        url = reports_url(Variable.get(REPORTS_URL_VARIABLE, default=None))
    return ReportArchive(ObjectStoragePath(url))
