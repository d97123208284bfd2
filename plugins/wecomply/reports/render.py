"""Render a `MonthlyReport` as a self-contained HTML file and as a WeCom markdown summary.

Both go through the shared Jinja environment (`wecomply.templating`), so wording lives in
`include/templates/reports/messages.yaml` and any variable a template misses raises.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from wecomply import templating
from wecomply.reports import charts
from wecomply.reports.model import Figure, Month, MonthlyReport, Person, ScoreBand, Unit

HTML_TEMPLATE: Final = "reports/monthly.html.j2"
SUMMARY_TEMPLATE: Final = "reports/summary.md.j2"

# WeCom's app-message markdown `content` limit, counted in UTF-8 bytes.
WECOM_MARKDOWN_LIMIT_BYTES: Final = 2048

SHANGHAI: Final = ZoneInfo("Asia/Shanghai")
_EN_MONTHS: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ARROWS: Final = {True: "▲", False: "▼"}


class SummaryTooLarge(Exception):
    """The summary exceeds WeCom's limit even with every name list cut to a count."""


@dataclass(frozen=True)
class ReportFormatter:
    """Locale-aware formatting the templates call as `fmt.*`."""

    locale: str

    def t(self, key: str, **values: object) -> str:
        return templating.message("reports", key, self.locale, **values)

    def number(self, value: float | None, unit: Unit = Unit.COUNT) -> str:
        text = templating.format_number(value)
        return f"{text}%" if unit is Unit.PERCENT and value is not None else text

    def value(self, figure: Figure) -> str:
        return self.number(figure.value, figure.unit)

    def tone(self, figure: Figure) -> str:
        return figure.tone.value

    def arrow(self, figure: Figure) -> str:
        delta = figure.delta
        return _ARROWS[delta > 0] if delta else ""

    def change(self, figure: Figure) -> str:
        """The size of the change without its sign (the arrow carries the direction)."""
        delta = figure.delta
        if delta is None:
            return self.t("delta.no_previous")
        if delta == 0:
            return self.t("delta.unchanged")
        size = templating.format_number(abs(delta))
        return self.t("delta.points", n=size) if figure.unit is Unit.PERCENT else size

    def delta(self, figure: Figure) -> str:
        """Arrow and size in one string, e.g. `▲4 个百分点`."""
        return f"{self.arrow(figure)}{self.change(figure)}"

    def previous(self, figure: Figure) -> str:
        return self.t("delta.previous", value=self.number(figure.previous, figure.unit))

    def month(self, month: Month) -> str:
        return self.t(
            "month.label", year=month.year, month=month.month, month_name=_EN_MONTHS[month.month - 1]
        )

    def date(self, day: date) -> str:
        if self.locale == "zh":
            return f"{day.month}月{day.day}日"
        return f"{day.day} {_EN_MONTHS[day.month - 1][:3]}"

    def timestamp(self, moment: datetime) -> str:
        local = moment.astimezone(SHANGHAI) if moment.tzinfo else moment
        return local.strftime("%Y-%m-%d %H:%M")

    def trend_desc(self, figure: Figure, period: Month) -> str:
        months = period.trend_months(len(figure.trend))
        if not figure.trend:
            return self.t("trend.desc", points=self.t("trend.no_data"))
        sep = "；" if self.locale == "zh" else "; "
        points = sep.join(
            f"{m}: {self.number(v, figure.unit)}" for m, v in zip(months, figure.trend, strict=True)
        )
        return self.t("trend.desc", points=points)

    def score_bars(self, bands: Sequence[ScoreBand]) -> list[charts.Bar]:
        return [charts.Bar(band.label, band.count, band.failing) for band in bands]

    def distribution_desc(self, bands: Sequence[ScoreBand]) -> str:
        sep = "；" if self.locale == "zh" else "; "
        points = sep.join(f"{band.label}: {band.count}" for band in bands)
        return self.t("assessment.distribution_desc", points=points)

    def years(self, years: Sequence[int]) -> str:
        return ("、" if self.locale == "zh" else " and ").join(str(year) for year in years)

    def names(self, people: Sequence[Person], limit: int | None = None) -> str:
        """Names joined for one line; beyond `limit` ends with `…等N人` (N is the total)."""
        return self.join([p.name for p in people], limit, counting="people")

    def join(self, texts: Sequence[str], limit: int | None = None, counting: str = "items") -> str:
        if not texts:
            return self.t("none")
        sep = "、" if self.locale == "zh" else ", "
        shown = [templating.clip(text, 16) for text in texts]
        if limit is None or limit >= len(texts):
            return sep.join(shown)
        if limit <= 0:
            return self.t(f"list.total_only.{counting}", n=len(texts))
        return sep.join(shown[:limit]) + self.t(f"list.and_more.{counting}", n=len(texts))


def _context(report: MonthlyReport, locale: str) -> dict[str, object]:
    return {
        "report": report,
        "fmt": ReportFormatter(locale),
        "charts": charts,
    }


def render_html(report: MonthlyReport, locale: str = templating.DEFAULT_LOCALE) -> str:
    """The whole report as one HTML document with inline CSS and SVG (nothing external)."""
    return templating.render(HTML_TEMPLATE, locale=locale, **_context(report, locale))


def render_markdown_summary(report: MonthlyReport, locale: str = templating.DEFAULT_LOCALE) -> str:
    """The WeCom markdown summary, at most 2048 UTF-8 bytes.

    Name lists are shortened together (as many names per list as still fit, then `…等N人`)
    rather than cutting the text, so the message never ends mid-character or mid-line.
    """
    context = _context(report, locale)

    def attempt(limit: int | None) -> str:
        return templating.render(SUMMARY_TEMPLATE, locale=locale, name_limit=limit, **context)

    def fits(text: str) -> bool:
        return len(text.encode("utf-8")) <= WECOM_MARKDOWN_LIMIT_BYTES

    text = attempt(None)
    if fits(text):
        return text
    if not fits(text := attempt(0)):
        raise SummaryTooLarge(
            f"the {report.scope.name} summary for {report.period} is "
            f"{len(text.encode('utf-8'))} bytes with every list cut; WeCom allows "
            f"{WECOM_MARKDOWN_LIMIT_BYTES}. Shorten reports/summary.md.j2 or its messages."
        )
    low, high = 0, _longest_list(report)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(attempt(middle)):
            low = middle
        else:
            high = middle - 1
    text = attempt(low)
    size = len(text.encode("utf-8"))
    if size > WECOM_MARKDOWN_LIMIT_BYTES:
        raise SummaryTooLarge(f"summary is {size} bytes after shortening; limit {WECOM_MARKDOWN_LIMIT_BYTES}")
    return text


def _longest_list(report: MonthlyReport) -> int:
    return max(
        len(report.assessment.failed),
        len(report.assessment.failed_twice),
        len(report.onboarding.missed),
        len(report.account_review.overdue_items),
        len(report.incidents.incidents),
    )
