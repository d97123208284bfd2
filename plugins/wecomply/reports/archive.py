"""The month's reports as files: data (JSON), HTML and WeCom summaries, and a manifest.

Layout under a base location (a local folder, or any `ObjectStoragePath` such as s3://):

    <base>/<YYYY-MM>/data/index.json            the scopes of the month, in order
    <base>/<YYYY-MM>/data/<locale>/<scope>.json  every figure (wecomply.reports.codec)
    <base>/<YYYY-MM>/data/<locale>/<scope>.rendered  what its HTML and summary came from
    <base>/<YYYY-MM>/<locale>/<scope>.html       the self-contained report
    <base>/<YYYY-MM>/<locale>/<scope>.md         the WeCom markdown summary (≤ 2048 bytes)
    <base>/<YYYY-MM>/manifest.json               every file with its size and SHA-256

`<scope>` is `company` or `dept-<WeCom department id>`. Each step rewrites its own files
whole, so running a step again (a retry, a clear, a later re-run of the month) replaces
them with the same content for the same records. The base only needs `/`, `mkdir`,
`write_bytes`, `read_bytes` and `exists`, which `pathlib.Path` and Airflow's
`ObjectStoragePath` both offer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from wecomply import templating
from wecomply.policy.calendar import WorkCalendar
from wecomply.policy.config import Policy
from wecomply.reports import codec
from wecomply.reports.aggregate import collect_month, reports_from
from wecomply.reports.model import Month, MonthlyReport
from wecomply.reports.render import render_html, render_markdown_summary

INDEX_VERSION = 1


@dataclass(frozen=True)
class ScopeEntry:
    id: str
    kind: str  # "company" | "department"
    name: str
    head_userid: str | None

    @classmethod
    def of(cls, report: MonthlyReport) -> ScopeEntry:
        head = report.scope.head
        return cls(report.scope.id, report.scope.kind.value, report.scope.name, head.userid if head else None)


@dataclass(frozen=True)
class MonthIndex:
    month: Month
    locales: tuple[str, ...]
    scopes: tuple[ScopeEntry, ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": INDEX_VERSION,
                "month": str(self.month),
                "locales": list(self.locales),
                "scopes": [vars(scope) for scope in self.scopes],
            },
            ensure_ascii=False,
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str) -> MonthIndex:
        raw = json.loads(text)
        if raw.get("version") != INDEX_VERSION:
            raise ValueError(f"report index version {raw.get('version')!r}; this version reads {INDEX_VERSION}")
        return cls(Month.parse(raw["month"]), tuple(raw["locales"]), tuple(ScopeEntry(**s) for s in raw["scopes"]))


class ReportArchive:
    """Where one deployment keeps its reports (see the module docstring for the layout)."""

    def __init__(self, base: Any) -> None:
        self.base = base
        self._folders: dict[tuple[str, ...], Any] = {}

    def __repr__(self) -> str:
        return f"ReportArchive({str(self.base)!r})"

    def _folder(self, month: Month, *parts: str) -> Any:
        # A UPath join took ~0.16 ms under cProfile; a month's ~1,000 scopes x 4 files share a few folders.
        key = (str(month), *parts)
        folder = self._folders.get(key)
        if folder is None:
            folder = self.base / str(month)
            for part in parts:
                folder = folder / part
            self._folders[key] = folder
        return folder

    def month_dir(self, month: Month) -> Any:
        return self._folder(month)

    def index(self, month: Month) -> Any:
        return self._folder(month, "data") / "index.json"

    def data(self, month: Month, locale: str, scope_id: str) -> Any:
        return self._folder(month, "data", locale) / f"{scope_id}.json"

    def html(self, month: Month, locale: str, scope_id: str) -> Any:
        return self._folder(month, locale) / f"{scope_id}.html"

    def summary(self, month: Month, locale: str, scope_id: str) -> Any:
        return self._folder(month, locale) / f"{scope_id}.md"

    def render_stamp(self, month: Month, locale: str, scope_id: str) -> Any:
        """What the scope's HTML and summary were rendered from (see `render_month`)."""
        return self._folder(month, "data", locale) / f"{scope_id}.rendered"

    def manifest(self, month: Month) -> Any:
        return self.month_dir(month) / "manifest.json"

    def read_index(self, month: Month) -> MonthIndex:
        path = self.index(month)
        if not path.exists():
            raise FileNotFoundError(f"{path}: no report data for {month}; run the aggregate step first")
        return MonthIndex.from_json(path.read_bytes().decode("utf-8"))

    def read_manifest(self, month: Month) -> dict[str, Any]:
        return json.loads(self.manifest(month).read_bytes().decode("utf-8"))


def write(path: Any, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def report_locales(policy: Policy) -> tuple[str, ...]:
    """Chinese always; English as well when the policy's locale is English."""
    return ("zh", "en") if policy.locale == "en" else ("zh",)


def write_month_data(
    month: Month,
    archive: ReportArchive,
    *,
    session: Session,
    policy: Policy,
    calendar: WorkCalendar,
    locales: Sequence[str] = ("zh",),
    as_of: datetime | None = None,
) -> MonthIndex:
    """Aggregate the month once and store each scope's report per locale as JSON."""
    facts = collect_month(month, session=session, policy=policy, calendar=calendar, as_of=as_of)
    scopes: tuple[ScopeEntry, ...] = ()
    for locale in locales:
        reports = reports_from(facts, locale=templating.check_locale(locale))
        scopes = tuple(ScopeEntry.of(report) for report in reports)
        for report in reports:
            write(archive.data(month, locale, report.scope.id), codec.to_json(report).encode("utf-8"))
    index = MonthIndex(month, tuple(locales), scopes)
    write(archive.index(month), index.to_json().encode("utf-8"))
    return index


def render_month(month: Month, archive: ReportArchive) -> tuple[MonthIndex, int]:
    """HTML and the WeCom summary for every scope and locale the index lists; returns the
    index and how many (scope, locale) pairs were rendered now.

    A scope whose data, templates and rendering code are unchanged since its last render
    keeps its files: a cleared or re-run month (1,000 departments) re-renders only what
    would come out different. The stamp is written last, so a render cut short is redone.
    """
    index = archive.read_index(month)
    renderer = renderer_fingerprint()
    rendered = 0
    for locale in index.locales:
        for scope in index.scopes:
            data = archive.data(month, locale, scope.id).read_bytes()
            html, summary = archive.html(month, locale, scope.id), archive.summary(month, locale, scope.id)
            stamp_path = archive.render_stamp(month, locale, scope.id)
            stamp = hashlib.sha256(renderer.encode("ascii") + data).hexdigest()
            if stamp_path.exists() and html.exists() and summary.exists() and stamp_path.read_bytes() == stamp.encode():
                continue
            report = codec.from_json(data.decode("utf-8"))
            write(html, render_html(report, locale=locale).encode("utf-8"))
            write(summary, render_markdown_summary(report, locale=locale).encode("utf-8"))
            write(stamp_path, stamp.encode("ascii"))
            rendered += 1
    return index, rendered


def renderer_fingerprint() -> str:
    """SHA-256 over the report templates and this package's code: what rendering depends
    on besides the data, so an upgraded template or chart re-renders every report."""
    digest = hashlib.sha256()
    sources = sorted((templating.templates_dir() / "reports").glob("*"))
    sources += sorted(Path(__file__).parent.glob("*.py"))
    for source in sources:
        digest.update(source.name.encode("utf-8") + b"\0" + source.read_bytes())
    return digest.hexdigest()


def seal_month(month: Month, archive: ReportArchive) -> dict[str, Any]:
    """Check every rendered file is there and record its size and SHA-256 in the manifest."""
    index = archive.read_index(month)
    files: list[dict[str, Any]] = []
    missing: list[str] = []
    for scope in index.scopes:
        for locale in index.locales:
            for kind, path in (("html", archive.html(month, locale, scope.id)),
                               ("summary", archive.summary(month, locale, scope.id))):
                if not path.exists():
                    missing.append(str(path))
                    continue
                data = path.read_bytes()
                files.append({
                    "scope": scope.id, "locale": locale, "kind": kind,
                    "path": f"{locale}/{path.name}",
                    "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                })
    if missing:
        raise FileNotFoundError(f"{len(missing)} rendered report file(s) missing, e.g. {missing[:3]}; run the render step again")
    manifest = {
        "month": str(month),
        "locales": list(index.locales),
        "scopes": [vars(scope) for scope in index.scopes],
        "files": files,
    }
    write(archive.manifest(month), json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
    return manifest


def write_reports(
    month: Month | str,
    out_dir: Path | str,
    *,
    sessions: sessionmaker[Session],
    locale: str = templating.DEFAULT_LOCALE,
    policy: Policy | None = None,
    as_of: datetime | None = None,
) -> list[Path]:
    """Write `month`'s reports under `out_dir` (the archive layout); return the HTML paths,
    the company report first. What `make demo` calls at the end of the demo month."""
    from wecomply.policy.config import load_policy

    month = Month.parse(month) if isinstance(month, str) else month
    policy = policy or load_policy()
    archive = ReportArchive(Path(out_dir))
    with sessions.begin() as session:
        index = write_month_data(
            month, archive, session=session, policy=policy, calendar=WorkCalendar(policy),
            locales=(templating.check_locale(locale),), as_of=as_of,
        )
    render_month(month, archive)
    seal_month(month, archive)
    return [Path(archive.html(month, locale, scope.id)) for scope in index.scopes]
