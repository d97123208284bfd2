"""The archive on a re-run month: aggregate writes and render re-renders only what changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.reports.month_records import SALES, at, seed_month
from tests.reports.samples import PERIOD, sample_report
from wecomply.policy.calendar import WorkCalendar
from wecomply.policy.config import load_policy
from wecomply.records import models
from wecomply.reports import archive as archive_module
from wecomply.reports import codec
from wecomply.reports.aggregate import collect_month
from wecomply.reports.model import Month
from wecomply.reports.archive import (
    MonthIndex,
    ReportArchive,
    ScopeEntry,
    facts_digest,
    render_month,
    seal_month,
    write,
    write_month_data,
)

MARCH = Month(2026, 3)  # the month tests/reports/month_records.py seeds
AS_OF = at("2026-04-01 09:00")


@pytest.fixture
def month_archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ReportArchive, list[str]]:
    report = sample_report()
    archive = ReportArchive(tmp_path)
    write(archive.data(PERIOD, "zh", report.scope.id), codec.to_json(report).encode("utf-8"))
    write(archive.index(PERIOD), MonthIndex(PERIOD, ("zh",), (ScopeEntry.of(report),)).to_json().encode("utf-8"))
    rendered: list[str] = []
    real = archive_module.render_html

    def counting(report, *, locale):  # type: ignore[no-untyped-def]
        rendered.append(report.scope.id)
        return real(report, locale=locale)

    monkeypatch.setattr(archive_module, "render_html", counting)
    return archive, rendered


def test_a_second_render_of_unchanged_data_keeps_the_files(month_archive) -> None:
    archive, rendered = month_archive
    assert render_month(PERIOD, archive)[1] == 1
    scope = archive.read_index(PERIOD).scopes[0].id
    html = archive.html(PERIOD, "zh", scope).read_bytes()
    assert render_month(PERIOD, archive)[1] == 0
    assert rendered == [scope]  # once, not twice
    assert archive.html(PERIOD, "zh", scope).read_bytes() == html
    assert len(seal_month(PERIOD, archive)["files"]) == 2


def test_changed_data_a_missing_file_or_a_new_renderer_render_again(month_archive, monkeypatch) -> None:
    archive, rendered = month_archive
    render_month(PERIOD, archive)
    scope = archive.read_index(PERIOD).scopes[0].id
    data = archive.data(PERIOD, "zh", scope)
    data.write_bytes(data.read_bytes() + b"\n")  # same report, other bytes
    render_month(PERIOD, archive)
    archive.summary(PERIOD, "zh", scope).unlink()
    render_month(PERIOD, archive)
    assert archive.summary(PERIOD, "zh", scope).exists()
    monkeypatch.setattr(archive_module, "renderer_fingerprint", lambda: "upgraded templates")
    render_month(PERIOD, archive)
    render_month(PERIOD, archive)
    assert rendered == [scope] * 4


# --- the aggregate step keeps data it would write again unchanged ----------------------------------


@pytest.fixture
def seeded(records_db):
    with records_db.sessions.begin() as session:
        seed_month(session)
    return records_db


def aggregate(records_db, archive: ReportArchive, as_of=AS_OF) -> tuple[MonthIndex, int]:
    policy = load_policy()
    with records_db.sessions.begin() as session:
        return write_month_data(
            MARCH, archive, session=session, policy=policy, calendar=WorkCalendar(policy), as_of=as_of,
        )


def test_unchanged_records_keep_the_months_data_and_a_changed_record_writes_it_again(seeded, tmp_path) -> None:
    archive = ReportArchive(tmp_path)
    first, written = aggregate(seeded, archive)
    assert written == 4 and first.facts and first.data  # company, root, sales, tech
    sales = archive.data(MARCH, "zh", f"dept-{SALES}")
    failed = json.loads(sales.read_text(encoding="utf-8"))["report"]["assessment"]["failed"]
    assert [f["person"]["userid"] for f in failed] == ["s3", "s2"]  # lowest score first
    before = {path: path.stat().st_mtime_ns for path in archive.data(MARCH, "zh", "company").parent.iterdir()}

    again, written = aggregate(seeded, archive)
    assert (again, written) == (first, 0)
    assert {path: path.stat().st_mtime_ns for path in before} == before  # not even rewritten

    with seeded.sessions.begin() as session:  # s3 passes March after all: sales' figures change
        session.execute(sa.update(models.Assessment).where(
            models.Assessment.userid == "s3", models.Assessment.period == "2026-03",
        ).values(total=75.0, passed=True))
    changed, written = aggregate(seeded, archive)
    assert written == 4 and changed.facts != first.facts
    failed = json.loads(sales.read_text(encoding="utf-8"))["report"]["assessment"]["failed"]
    assert [f["person"]["userid"] for f in failed] == ["s2"]  # was s2 and s3
    assert aggregate(seeded, archive)[1] == 0


def test_an_edited_or_missing_data_file_or_another_as_of_writes_the_month_again(seeded, tmp_path) -> None:
    archive = ReportArchive(tmp_path)
    aggregate(seeded, archive)
    sales = archive.data(MARCH, "zh", f"dept-{SALES}")
    original = sales.read_bytes()

    sales.write_bytes(original.replace(b'"assessed": 5', b'"assessed": 6'))
    assert aggregate(seeded, archive)[1] == 4
    assert sales.read_bytes() == original

    sales.unlink()
    assert aggregate(seeded, archive)[1] == 4
    assert sales.read_bytes() == original

    # The reports say when they were generated: another instant is another month's data.
    assert aggregate(seeded, archive, as_of=at("2026-04-02 09:00"))[1] == 4
    assert sales.read_bytes() != original


def test_the_facts_digest_is_taken_by_value(seeded) -> None:
    policy = load_policy()
    digests = set()
    for _ in range(2):
        with seeded.sessions.begin() as session:
            facts = collect_month(MARCH, session=session, policy=policy, calendar=WorkCalendar(policy), as_of=AS_OF)
        assert "Tally(6, {" in repr(facts)  # the tallies by value, not as an object's address
        digests.add(facts_digest(facts, ("zh",)))
    assert len(digests) == 1
    assert facts_digest(facts, ("zh", "en")) not in digests


def test_a_local_object_storage_path_is_read_as_a_plain_path_and_others_as_they_are(tmp_path) -> None:
    from airflow.sdk import ObjectStoragePath

    local = ReportArchive(ObjectStoragePath(tmp_path.as_uri() + "/reports/"))
    assert isinstance(local.base, Path) and local.base == tmp_path / "reports"
    assert ReportArchive(ObjectStoragePath(local.url)).base == local.base  # the URL handed to later tasks

    remote = ReportArchive(ObjectStoragePath("memory://wecomply-test/reports"))
    assert not isinstance(remote.base, Path)
    report = sample_report()
    write(remote.data(PERIOD, "zh", report.scope.id), codec.to_json(report).encode("utf-8"))
    write(remote.index(PERIOD), MonthIndex(PERIOD, ("zh",), (ScopeEntry.of(report),)).to_json().encode("utf-8"))
    assert render_month(PERIOD, remote)[1] == 1
    assert [f["path"] for f in seal_month(PERIOD, remote)["files"]] == [f"zh/{report.scope.id}.html", f"zh/{report.scope.id}.md"]


def test_a_report_file_is_replaced_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The month's seal (as every archive file) is written beside itself and renamed over
    the old one: when that fails, the previous seal is still whole and nothing is left."""
    from wecomply import atomic_files

    manifest = ReportArchive(tmp_path).manifest(MARCH)
    write(manifest, b'{"files": ["old"]}')

    def rename_fails(source: object, target: object) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic_files.os, "replace", rename_fails)
    with pytest.raises(OSError, match="Input/output error"):
        write(manifest, b'{"files": ["new"]}')
    monkeypatch.undo()
    assert manifest.read_bytes() == b'{"files": ["old"]}'
    assert [p.name for p in manifest.parent.iterdir()] == ["manifest.json"]
    write(manifest, b'{"files": ["new"]}')
    assert manifest.read_bytes() == b'{"files": ["new"]}'
