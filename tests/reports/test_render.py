"""Rendering a known report: numbers as given, deltas, locales, escaping, WeCom's limit."""

from __future__ import annotations

import dataclasses
import re
from html import escape
from html.parser import HTMLParser

import pytest

from tests.reports.samples import sample_report
from wecomply.reports.model import Person, Scope, ScopeKind
from wecomply.reports.render import WECOM_MARKDOWN_LIMIT_BYTES, render_html, render_markdown_summary

SECTION_TITLES_ZH = ("本月概览", "入职培训", "季度再培训", "月度考核", "账号检查", "会议纪要", "通知确认", "安全事件")
SECTION_TITLES_EN = (
    "This month at a glance", "Onboarding training", "Quarterly retraining", "Monthly assessment",
    "Account reviews", "Meeting minutes", "Notice acknowledgements", "Security incidents",
)  # fmt: skip


class _Outline(HTMLParser):
    """Collects heading texts and every attribute that could make a browser fetch something."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.fetching: list[tuple[str, str, str | None]] = []
        self.tags: set[str] = set()
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in ("h1", "h2"):
            self._heading = []
        for name, value in attrs:
            if name in ("src", "href", "srcset", "poster", "data", "action", "xlink:href"):
                self.fetching.append((tag, name, value))

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2") and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None


def outline(html: str) -> _Outline:
    parser = _Outline()
    parser.feed(html)
    return parser


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(("locale", "lang", "titles"), [("zh", "zh-CN", SECTION_TITLES_ZH), ("en", "en", SECTION_TITLES_EN)])
def test_both_locales_render_every_section(locale: str, lang: str, titles: tuple[str, ...]) -> None:
    html = render_html(sample_report(), locale=locale)
    assert html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{lang}">' in html
    doc = outline(html)
    assert doc.headings[0] == "销售部"
    assert tuple(doc.headings[1:]) == titles


def test_default_locale_is_chinese() -> None:
    assert render_html(sample_report()) == render_html(sample_report(), locale="zh")
    assert "2025年3月" in render_html(sample_report())
    assert "March 2025" in render_html(sample_report(), locale="en")


def test_numbers_appear_as_given() -> None:
    report = sample_report()
    text = text_of(render_html(report))
    for figure in (
        report.onboarding.on_time_rate, report.retraining.completion_rate, report.assessment.pass_rate,
        report.meetings.minutes_on_time_rate, report.notices.acknowledgement_rate,
    ):  # fmt: skip
        assert f"{figure.value:g}%" in text
        assert f"上月 {figure.previous:g}%" in text
    assert "78.4" in text and "上月 76.1" in text  # mean score
    assert "本月共 46 人参加考核" in text and "合格线 60 分" in text
    assert "应参加 48" in text and "已完成 42" in text and "尚未参加 6" in text
    assert "逾期 11 天" in text and "迟 6.5 小时" in text and "用时 52 分钟上报" in text
    html = render_html(report)
    for band in report.assessment.distribution:
        assert re.search(rf">{band.count}</text><text [^>]+>{re.escape(escape(band.label))}</text>", html)


def test_deltas_are_signed_and_coloured_by_what_is_better() -> None:
    html = render_html(sample_report())
    cards = dict(re.findall(r'<article class="kpi tone-(\w+)">\s*<h3>([^<]+)</h3>', html)[i][::-1] for i in range(8))
    assert cards["入职培训 7 天内完成率"] == "improved"  # 75 → 83.3
    assert cards["考核不合格人数"] == "improved"  # 4 → 3: fewer is better
    assert cards["账号检查逾期问题"] == "worsened"  # 1 → 2
    assert cards["会议纪要按时发送率"] == "worsened"  # 87.5 → 83.3
    assert cards["安全事件 30 分钟内上报率"] == "unknown"  # no incidents the month before
    text = text_of(html)
    assert "▲ 8.3 个百分点" in text and "▼ 4.2 个百分点" in text and "▼ 1 上月 4" in text
    assert "无上月数据" in text and "与上月持平" in text


def test_trend_descriptions_list_the_last_six_months() -> None:
    html = render_html(sample_report())
    assert (
        "近 6 个月：2024-10: 75%；2024-11: 80%；2024-12: 70%；2025-01: 81.8%；2025-02: 75%；2025-03: 83.3%"
        in html
    )
    assert "2024-11: —；2024-12: 50%" in html  # a month without incidents is a gap, not 0


def test_names_are_escaped_everywhere() -> None:
    evil = "<script>alert(1)</script>"
    report = sample_report(failed_names=(evil,), failed_twice_names=(evil,))
    report = dataclasses.replace(report, scope=Scope(ScopeKind.DEPARTMENT, "d", f"销售{evil}", Person("h", evil)))
    html = render_html(report)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    summary = render_markdown_summary(report)
    assert "<script" not in summary and "＜script＞" in summary


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_html_is_self_contained(locale: str) -> None:
    html = render_html(sample_report(), locale=locale)
    doc = outline(html)
    assert doc.fetching == []
    assert not {"script", "link", "img", "iframe", "object", "embed", "image", "use"} & doc.tags
    assert not re.search(r"https?://|url\(|@import|@font-face", html, re.IGNORECASE)
    assert "<style>" in html and doc.tags >= {"svg", "title", "desc"}
    assert "@media print" in html and 'name="viewport"' in html


def test_svg_ids_are_unique() -> None:
    ids = re.findall(r' id="([^"]+)"', render_html(sample_report()))
    assert len(ids) == len(set(ids)) > 40


def test_rendering_is_deterministic() -> None:
    assert render_html(sample_report()) == render_html(sample_report())


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_summary_carries_every_headline_figure(locale: str) -> None:
    report = sample_report()
    summary = render_markdown_summary(report, locale=locale)
    for _, figure in report.headline():
        value = f"{figure.value:g}%" if figure.unit.value == "percent" else f"{figure.value:g}"
        assert f"**{value}**" in summary
    assert '<font color="info">▲8.3' in summary and '<font color="warning">▼4.2' in summary
    assert "赵磊" in summary and "INC-2025-037" in summary and "INC-2025-031" not in summary


def test_short_summary_lists_everyone() -> None:
    summary = render_markdown_summary(sample_report())
    assert "陈晓明、刘洋、赵磊" in summary and "…等" not in summary


@pytest.mark.parametrize("locale", ["zh", "en"])
def test_summary_fits_wecom_limit_with_500_failures(locale: str) -> None:
    names = tuple(f"测试员{i:03d}号长名字" for i in range(500))
    report = sample_report(failed_names=names, failed_twice_names=names[:300])
    report = dataclasses.replace(report, scope=Scope(ScopeKind.COMPANY, "c", "很长的公司名称" * 20, None))
    summary = render_markdown_summary(report, locale=locale)
    size = len(summary.encode("utf-8"))
    assert size <= WECOM_MARKDOWN_LIMIT_BYTES
    assert size > WECOM_MARKDOWN_LIMIT_BYTES - 120  # shortened as little as needed
    more = "…等{}人" if locale == "zh" else "… ({} in total)"
    assert more.format(500) in summary and more.format(300) in summary
    # Every name shown is whole: each listed name is one of the real names.
    separator = "、" if locale == "zh" else ", "
    for line in summary.splitlines():
        if "测试员" in line:
            shown = line.split("…")[0].split(separator)
            assert shown and all(name in names for name in shown), line


@pytest.mark.parametrize(
    ("locale", "title", "body", "line"),
    [
        ("zh", "工作日为估算", "2026、2027 年的国务院节假日安排通知尚未录入", "2026、2027 年放假通知未录入，工作日期限为估算"),
        ("en", "Working days are estimated", "The State Council's holiday notice for 2026 and 2027 has not been entered",
         "No holiday notice entered for 2026 and 2027: working-day deadlines are estimates"),
    ],
)
def test_a_report_on_an_estimated_calendar_says_so_at_the_top(locale: str, title: str, body: str, line: str) -> None:
    plain = sample_report()
    estimated = dataclasses.replace(plain, estimated_calendar_years=(2026, 2027))
    html = text_of(render_html(estimated, locale=locale)).replace("&#39;", "'")
    first_section = (SECTION_TITLES_ZH if locale == "zh" else SECTION_TITLES_EN)[1]
    assert html.index(title) < html.index(body) < html.index(first_section)
    assert line in render_markdown_summary(estimated, locale=locale)
    assert title not in text_of(render_html(plain, locale=locale))
    assert line not in render_markdown_summary(plain, locale=locale)
