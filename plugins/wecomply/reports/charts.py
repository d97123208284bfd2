"""Inline SVG charts for the reports: pure Python, nothing scripted, nothing fetched.

Every chart is an `<svg role="img">` labelled by its own `<title>` and `<desc>`, so a screen
reader reads the numbers the picture shows. Output is deterministic (fixed rounding, no
random ids), which keeps rendered reports byte-identical for the same data. Colours are
attributes rather than CSS so a chart looks the same pasted anywhere and when printed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

from wecomply.reports.model import TREND_MONTHS, Tone

GOOD: Final = "#1a7f4b"
BAD: Final = "#c8372d"
NEUTRAL: Final = "#5b6b7f"
ACCENT: Final = "#2457a6"
TRACK: Final = "#e3e8ef"
INK_MUTED: Final = "#5b6b7f"

TONE_COLOURS: Final = {
    Tone.IMPROVED: GOOD,
    Tone.WORSENED: BAD,
    Tone.UNCHANGED: ACCENT,
    Tone.NEUTRAL: ACCENT,
    Tone.UNKNOWN: NEUTRAL,
}

_ID_OK = re.compile(r"[^a-z0-9-]+")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    highlight: bool = False  # drawn in the warning colour (failing score bands)


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _svg(
    chart_id: str,
    title: str,
    desc: str,
    width: float,
    height: float,
    body: str,
    css: str,
    aspect: str = "xMidYMid meet",
) -> Markup:
    safe_id = _ID_OK.sub("-", chart_id.lower()).strip("-") or "chart"
    return Markup(
        f'<svg class="{css}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'role="img" aria-labelledby="{safe_id}-t {safe_id}-d" preserveAspectRatio="{aspect}">'
        f'<title id="{safe_id}-t">{escape(title)}</title><desc id="{safe_id}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def sparkline(
    values: Sequence[float | None],
    *,
    chart_id: str,
    title: str,
    desc: str,
    tone: Tone = Tone.UNKNOWN,
    width: float = 150,
    height: float = 34,
) -> Markup:
    """A small line over the last months, newest on the right; `None` months leave a gap."""
    pad = 3.0
    slots = max(TREND_MONTHS, len(values))
    step = (width - 2 * pad) / (slots - 1)
    offset = slots - len(values)
    known = [v for v in values if v is not None]
    colour = TONE_COLOURS[tone]
    if not known:
        baseline = f'<line x1="{_n(pad)}" y1="{_n(height / 2)}" x2="{_n(width - pad)}" y2="{_n(height / 2)}" stroke="{TRACK}" stroke-width="2" stroke-dasharray="3 3"/>'
        return _svg(chart_id, title, desc, width, height, baseline, "chart spark", aspect="xMinYMid meet")
    low, high = min(known), max(known)
    span = high - low
    if span == 0:
        low, span = low - 1, 2.0

    def point(index: int, value: float) -> tuple[float, float]:
        x = pad + (offset + index) * step
        y = height - pad - (value - low) / span * (height - 2 * pad)
        return x, y

    segments: list[list[tuple[float, float]]] = [[]]
    for index, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        segments[-1].append(point(index, value))
    parts = [
        f'<line x1="{_n(pad)}" y1="{_n(height - pad)}" x2="{_n(width - pad)}" y2="{_n(height - pad)}" stroke="{TRACK}" stroke-width="1"/>'
    ]
    for segment in filter(None, segments):
        coords = " ".join(f"{_n(x)},{_n(y)}" for x, y in segment)
        if len(segment) > 1:
            area = f"{_n(segment[0][0])},{_n(height - pad)} {coords} {_n(segment[-1][0])},{_n(height - pad)}"
            parts.append(f'<polygon points="{area}" fill="{colour}" fill-opacity="0.12"/>')
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2" '
                'stroke-linejoin="round" stroke-linecap="round"/>'
            )
        else:
            # A month between two gaps has no line to sit on, so it is drawn as a dot.
            x, y = segment[0]
            parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="2" fill="{colour}" fill-opacity="0.6"/>')
    last_known = max(i for i, v in enumerate(values) if v is not None)
    lx, ly = point(last_known, values[last_known])  # type: ignore[arg-type]
    parts.append(f'<circle cx="{_n(lx)}" cy="{_n(ly)}" r="2.8" fill="{colour}"/>')
    return _svg(chart_id, title, desc, width, height, "".join(parts), "chart spark", aspect="xMinYMid meet")


def bar_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    desc: str,
    width: float = 340,
    height: float = 170,
) -> Markup:
    """Vertical bars with the value above and the label below each one."""
    top, bottom, side = 18.0, 22.0, 4.0
    plot_h = height - top - bottom
    count = max(len(bars), 1)
    slot = (width - 2 * side) / count
    bar_w = min(slot * 0.68, 48.0)
    peak = max((b.value for b in bars), default=0) or 1
    parts = [
        f'<line x1="{_n(side)}" y1="{_n(top + plot_h)}" x2="{_n(width - side)}" y2="{_n(top + plot_h)}" stroke="{TRACK}" stroke-width="1.5"/>'
    ]
    for index, bar in enumerate(bars):
        centre = side + slot * (index + 0.5)
        bar_h = plot_h * bar.value / peak
        y = top + plot_h - bar_h
        colour = BAD if bar.highlight else ACCENT
        if bar_h > 0:
            parts.append(
                f'<rect x="{_n(centre - bar_w / 2)}" y="{_n(y)}" width="{_n(bar_w)}" height="{_n(bar_h)}" '
                f'rx="3" fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{_n(centre)}" y="{_n(y - 5)}" text-anchor="middle" font-size="12" font-weight="600" '
            f'fill="{colour}">{escape(_n(bar.value))}</text>'
        )
        parts.append(
            f'<text x="{_n(centre)}" y="{_n(height - 6)}" text-anchor="middle" font-size="11" '
            f'fill="{INK_MUTED}">{escape(bar.label)}</text>'
        )
    return _svg(chart_id, title, desc, width, height, "".join(parts), "chart bars")


def meter(
    percent: float | None,
    *,
    chart_id: str,
    title: str,
    desc: str,
    tone: Tone = Tone.UNKNOWN,
    width: float = 300,
    height: float = 10,
) -> Markup:
    """A horizontal progress bar for a rate in 0..100 (an empty track when there is no data)."""
    radius = height / 2
    parts = [f'<rect x="0" y="0" width="{_n(width)}" height="{_n(height)}" rx="{_n(radius)}" fill="{TRACK}"/>']
    if percent is not None and percent > 0:
        fill_w = max(width * min(percent, 100.0) / 100.0, height)
        parts.append(
            f'<rect x="0" y="0" width="{_n(fill_w)}" height="{_n(height)}" rx="{_n(radius)}" '
            f'fill="{TONE_COLOURS[tone] if tone is not Tone.UNKNOWN else ACCENT}"/>'
        )
    # Stretched to its container: a bar of rectangles has nothing that distorts visibly.
    return _svg(chart_id, title, desc, width, height, "".join(parts), "chart meter", aspect="none")


def donut(
    percent: float | None,
    *,
    chart_id: str,
    title: str,
    desc: str,
    label: str,
    colour: str = ACCENT,
    size: float = 96,
) -> Markup:
    """A ring filled to `percent` with `label` in the middle."""
    stroke = size * 0.12
    radius = (size - stroke) / 2
    centre = size / 2
    circumference = 2 * 3.141592653589793 * radius
    filled = circumference * min(max(percent or 0.0, 0.0), 100.0) / 100.0
    parts = [
        f'<circle cx="{_n(centre)}" cy="{_n(centre)}" r="{_n(radius)}" fill="none" stroke="{TRACK}" stroke-width="{_n(stroke)}"/>'
    ]
    if filled > 0:
        parts.append(
            f'<circle cx="{_n(centre)}" cy="{_n(centre)}" r="{_n(radius)}" fill="none" stroke="{colour}" '
            f'stroke-width="{_n(stroke)}" stroke-linecap="round" '
            f'stroke-dasharray="{_n(filled)} {_n(circumference)}" '
            f'transform="rotate(-90 {_n(centre)} {_n(centre)})"/>'
        )
    parts.append(
        f'<text x="{_n(centre)}" y="{_n(centre + size * 0.07)}" text-anchor="middle" '
        f'font-size="{_n(size * 0.2)}" font-weight="700" fill="#1b2a3a">{escape(label)}</text>'
    )
    return _svg(chart_id, title, desc, size, size, "".join(parts), "chart donut")
