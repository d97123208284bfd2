from __future__ import annotations

import re

from wecomply.reports import charts
from wecomply.reports.model import Tone


def _heights(svg: str) -> list[float]:
    return [float(h) for h in re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"', svg)]


def test_sparkline_is_labelled_and_deterministic() -> None:
    args = dict(chart_id="kpi-1", title="合格率 <b>", desc="近 6 个月", tone=Tone.IMPROVED)
    first = charts.sparkline((80, 85, 90), **args)
    assert first == charts.sparkline((80, 85, 90), **args)
    assert 'role="img"' in first and 'aria-labelledby="kpi-1-t kpi-1-d"' in first
    assert '<title id="kpi-1-t">合格率 &lt;b&gt;</title>' in first
    assert '<desc id="kpi-1-d">近 6 个月</desc>' in first
    assert charts.GOOD in first and charts.BAD not in first


def test_sparkline_newest_point_is_right_aligned_and_highest_value_on_top() -> None:
    svg = charts.sparkline((10, 20, 30), chart_id="s", title="t", desc="d", width=150, height=34)
    points = re.search(r'<polyline points="([^"]+)"', svg)[1].split()
    xs = [float(p.split(",")[0]) for p in points]
    ys = [float(p.split(",")[1]) for p in points]
    assert xs[-1] == 147  # width minus padding: the report month is always the last slot
    assert ys[0] > ys[1] > ys[2]  # SVG y grows downwards


def test_sparkline_gaps_and_empty_trends() -> None:
    gapped = charts.sparkline((100, None, 50, 100, None, 50), chart_id="g", title="t", desc="d")
    assert gapped.count("<polyline") == 1  # only 50→100 is a run of two months
    assert gapped.count("<circle") == 3  # two lone months plus the newest point
    empty = charts.sparkline((), chart_id="e", title="t", desc="d")
    assert "stroke-dasharray" in empty and "<polyline" not in empty


def test_bar_chart_heights_are_proportional_and_failing_bands_highlighted() -> None:
    bars = [charts.Bar("<50", 1, True), charts.Bar("60–69", 5), charts.Bar("90–100", 10)]
    svg = charts.bar_chart(bars, chart_id="dist", title="分布", desc="d")
    heights = _heights(svg)
    assert heights[0] * 10 == heights[2] and heights[1] * 2 == heights[2]
    assert svg.count(f'fill="{charts.BAD}"') == 2  # the failing bar and its count label
    assert "&lt;50" in svg


def test_meter_and_donut_fill_to_the_rate() -> None:
    meter = charts.meter(25.0, chart_id="m", title="t", desc="d", width=200, height=10)
    assert _heights(meter) == [10, 10]
    assert 'width="50"' in meter
    assert _heights(charts.meter(None, chart_id="m", title="t", desc="d")) == [10]
    donut = charts.donut(50, chart_id="d", title="t", desc="d", label="50%")
    dash = re.search(r'stroke-dasharray="([\d.]+) ([\d.]+)"', donut)
    assert float(dash[1]) * 2 == float(dash[2]) or abs(float(dash[1]) * 2 - float(dash[2])) < 0.2


def test_charts_reference_nothing_external() -> None:
    svg = charts.sparkline((1, 2), chart_id="x", title="t", desc="d") + charts.bar_chart(
        [charts.Bar("a", 1)], chart_id="y", title="t", desc="d"
    )
    assert "http" not in svg and "href" not in svg
