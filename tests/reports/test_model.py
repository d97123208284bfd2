from __future__ import annotations

import pytest

from wecomply.reports.model import Better, Figure, Month, Tone, Unit, rate


def test_delta_is_value_minus_previous() -> None:
    figure = Figure(83.3, 75.0, (75.0, 83.3), Unit.PERCENT)
    assert figure.delta == pytest.approx(8.3)


@pytest.mark.parametrize(
    ("value", "previous", "better", "tone"),
    [
        (90, 80, Better.HIGHER, Tone.IMPROVED),
        (70, 80, Better.HIGHER, Tone.WORSENED),
        (3, 4, Better.LOWER, Tone.IMPROVED),  # fewer failures is better
        (5, 4, Better.LOWER, Tone.WORSENED),
        (7, 2, Better.NEUTRAL, Tone.NEUTRAL),
        (4, 4, Better.LOWER, Tone.UNCHANGED),
        (4, None, Better.HIGHER, Tone.UNKNOWN),
        (None, 4, Better.HIGHER, Tone.UNKNOWN),
    ],
)
def test_tone_follows_which_direction_is_better(value, previous, better, tone) -> None:
    figure = Figure(value, previous, better=better)
    assert figure.tone is tone
    assert (figure.delta is None) == (value is None or previous is None)


def test_trend_must_end_with_value_and_previous() -> None:
    with pytest.raises(ValueError, match="end with"):
        Figure(5, 4, (3, 4, 6))
    with pytest.raises(ValueError, match="previous"):
        Figure(5, 4, (3, 3, 5))
    with pytest.raises(ValueError, match="at most 6"):
        Figure(5, 4, (1, 2, 3, 3, 3, 4, 5))


def test_percentages_outside_0_100_are_refused() -> None:
    with pytest.raises(ValueError, match="0..100"):
        Figure(50, -1, unit=Unit.PERCENT)
    with pytest.raises(ValueError, match="0..100"):
        Figure(101, 99, unit=Unit.PERCENT)


def test_month_parses_shifts_and_lists_the_trend_axis() -> None:
    month = Month.parse("2025-02")
    assert str(month) == "2025-02"
    assert month.previous() == Month(2025, 1)
    assert month.shift(-2) == Month(2024, 12)
    assert [str(m) for m in month.trend_months()] == [
        "2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse("2025-2")
    with pytest.raises(ValueError):
        Month(2025, 13)


def test_rate_is_none_without_a_denominator() -> None:
    assert rate(10, 12) == 83.3
    assert rate(0, 0) is None


def test_from_trend_takes_the_last_six_months() -> None:
    figure = Figure.from_trend([1, 2, 3, 4, 5, 6, 7, 8], Unit.COUNT, Better.LOWER)
    assert (figure.value, figure.previous, figure.trend) == (8, 7, (3, 4, 5, 6, 7, 8))
    assert figure.tone is Tone.WORSENED
    first_month = Figure.from_trend([42.0], Unit.PERCENT)
    assert first_month.previous is None and first_month.delta is None
