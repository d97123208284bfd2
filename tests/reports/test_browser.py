"""The rendered report in Debian's headless chromium: it lays out, shows its headings, and
looks like the design (dark masthead, light page, green and red deltas) at phone and desktop
widths. Screenshots stay in test-artifacts/ for a human look."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.browser import Chromium, Image, decode_png
from tests.reports.samples import sample_report
from tests.reports.test_render import SECTION_TITLES_EN, SECTION_TITLES_ZH, outline
from wecomply.reports import charts
from wecomply.reports.render import render_html

pytestmark = pytest.mark.browser

PAGE_BACKGROUND = (0xF2, 0xF4, 0xF7)


@pytest.fixture(scope="module")
def pages(artifacts_dir: Path) -> dict[str, Path]:
    written = {}
    for locale in ("zh", "en"):
        page = artifacts_dir / f"report-monthly-{locale}.html"
        page.write_text(render_html(sample_report(), locale=locale), encoding="utf-8")
        written[locale] = page
    return written


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _close(a: tuple[int, int, int], b: tuple[int, int, int], tolerance: int = 6) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b))


def _luma(pixel: tuple[int, int, int]) -> float:
    r, g, b = pixel
    return 0.299 * r + 0.587 * g + 0.114 * b


def _sample(image: Image, step: int = 5) -> list[tuple[int, int, int]]:
    return [image.pixel(x, y) for y in range(0, image.height, step) for x in range(0, image.width, step)]


def _assert_not_blank(image: Image) -> list[tuple[int, int, int]]:
    pixels = _sample(image)
    lumas = [_luma(p) for p in pixels]
    mean = sum(lumas) / len(lumas)
    variance = sum((v - mean) ** 2 for v in lumas) / len(lumas)
    assert variance > 300, f"screenshot looks blank: luminance variance {variance:.0f}"
    assert len(set(pixels)) > 200, f"screenshot has only {len(set(pixels))} colours"
    return pixels


def _assert_design_colours(pixels: list[tuple[int, int, int]]) -> None:
    for name in ("GOOD", "BAD", "ACCENT"):
        colour = _hex(getattr(charts, name))
        assert any(_close(p, colour) for p in pixels), f"no {name} ({getattr(charts, name)}) pixels: charts missing?"


def test_phone_screenshot(chromium: Chromium, pages: dict[str, Path], artifacts_dir: Path) -> None:
    png = chromium.screenshot(pages["zh"], artifacts_dir / "report-monthly-zh-phone.png", width=390, height=2400)
    image = decode_png(png)
    assert (image.width, image.height) == (390, 2400)
    pixels = _assert_not_blank(image)
    _assert_design_colours(pixels)
    assert _luma(image.pixel(10, 10)) < 90, "the masthead should be dark"
    # Cards keep a margin on a 390 px phone: the right edge stays page background all the
    # way down, which fails if anything is wider than the screen.
    for y in range(260, 2400, 40):
        assert _close(image.pixel(image.width - 4, y), PAGE_BACKGROUND), f"content overflows at y={y}"


def test_desktop_screenshot(chromium: Chromium, pages: dict[str, Path], artifacts_dir: Path) -> None:
    png = chromium.screenshot(pages["en"], artifacts_dir / "report-monthly-en-desktop.png", width=1280, height=2000)
    image = decode_png(png)
    pixels = _assert_not_blank(image)
    _assert_design_colours(pixels)
    # Content is centred with a maximum width, so a wide screen leaves margins either side.
    assert _close(image.pixel(40, 1000), PAGE_BACKGROUND) and _close(image.pixel(1240, 1000), PAGE_BACKGROUND)
    # Four KPI cards per row: a line through the first row of cards, below the masthead,
    # meets four left card edges (page background, then the card's white padding).
    white = (255, 255, 255)
    row = [image.pixel(x, 300) for x in range(image.width)]
    edges = [
        x for x in range(1, image.width - 12)
        if row[x - 1] != white and _close(row[x - 1], PAGE_BACKGROUND, 14) and all(p == white for p in row[x : x + 12])
    ]  # fmt: skip
    assert len(edges) == 4, f"expected 4 KPI cards side by side, found card edges at {edges}"


@pytest.mark.parametrize(("locale", "titles"), [("zh", SECTION_TITLES_ZH), ("en", SECTION_TITLES_EN)])
def test_browser_parses_every_heading(chromium: Chromium, pages: dict[str, Path], locale: str, titles: tuple[str, ...]) -> None:
    dom = chromium.dump_dom(pages[locale])
    assert tuple(outline(dom).headings[1:]) == titles


@pytest.mark.parametrize(("locale", "titles"), [("zh", SECTION_TITLES_ZH), ("en", SECTION_TITLES_EN)])
def test_printed_report_shows_the_headings(
    chromium: Chromium, pages: dict[str, Path], tmp_path: Path, locale: str, titles: tuple[str, ...]
) -> None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; the DOM test still checks the headings")
    pdf = chromium.print_pdf(pages[locale], tmp_path / "report.pdf")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    # The overview heading is for screen readers only; the rest must be on paper.
    for title in titles[1:]:
        assert re.sub(r"\s+", "", title) in flat, f"{title!r} missing from the printed {locale} report"
    assert "销售部" in flat and "83.3%" in flat
    pages_count = text.count("\f")
    assert 1 <= pages_count <= 6, f"print layout produced {pages_count} pages"


def test_the_estimated_calendar_note_shows_on_phone_and_on_paper(
    chromium: Chromium, artifacts_dir: Path, tmp_path: Path
) -> None:
    page = artifacts_dir / "report-monthly-zh-estimated.html"
    page.write_text(render_html(dataclasses.replace(sample_report(), estimated_calendar_years=(2027,))), encoding="utf-8")
    image = decode_png(chromium.screenshot(page, artifacts_dir / "report-monthly-zh-estimated-phone.png", width=390, height=1200))
    warn_background = (0xFF, 0xF6, 0xE5)
    note_rows = [y for y in range(0, 600) if _close(image.pixel(30, y), warn_background, 3)]
    assert len(note_rows) > 60, f"the note's background shows on {len(note_rows)} rows at x=30: missing or squeezed?"
    for y in range(260, 1200, 40):
        assert _close(image.pixel(image.width - 4, y), PAGE_BACKGROUND), f"content overflows at y={y}"
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; the screenshot still checks the note")
    pdf = chromium.print_pdf(page, tmp_path / "report.pdf")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "2027年的国务院节假日安排通知尚未录入" in re.sub(r"\s+", "", text)
