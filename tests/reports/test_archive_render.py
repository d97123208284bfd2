"""render_month re-renders only scopes whose data or renderer changed (cleared/re-run months)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reports.samples import PERIOD, sample_report
from wecomply.reports import archive as archive_module
from wecomply.reports import codec
from wecomply.reports.archive import MonthIndex, ReportArchive, ScopeEntry, render_month, seal_month, write


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
