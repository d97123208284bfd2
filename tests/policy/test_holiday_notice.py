"""Reading a pasted State Council notice: every day of 2024-2026 as chinesecalendar has it,
through the policy as an operator enters it; and a clear error for text that does not read."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta

import chinese_calendar
import pytest
from chinese_calendar.constants import holidays as official_holidays
from chinese_calendar.constants import workdays as official_workdays

from tests.policy.notice_texts import NOTICE_2024, NOTICES
from wecomply.policy.calendar import WorkCalendar
from wecomply.policy.config import DEFAULT_POLICY_PATH, PolicyError, parse_policy
from wecomply.policy.holiday_notice import NoticeRun, NoticeTextError, parse_notice


def _dates(runs: tuple[NoticeRun, ...]) -> set[date]:
    return {r.first + timedelta(days=n) for r in runs for n in range((r.last - r.first).days + 1)}


def _policy_with(notices: dict[int, str]) -> str:
    block = "  official_notices:\n" + "".join(
        f"    {year}:\n      text: |\n" + textwrap.indent(text.strip() + "\n", " " * 8) for year, text in notices.items()
    )
    shipped = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")
    assert "  official_notices: {}\n" in shipped
    return shipped.replace("  official_notices: {}\n", block)


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_a_pasted_notice_gives_exactly_the_official_days(year: int) -> None:
    read = parse_notice(NOTICES[year], year)
    assert _dates(read.holidays) == {d for d in official_holidays if d.year == year}
    assert _dates(read.working_days) == {d for d in official_workdays if d.year == year}


def test_names_come_from_the_items() -> None:
    read = parse_notice(NOTICES[2025], 2025)
    assert [r.name for r in read.holidays] == ["元旦", "春节", "清明节", "劳动节", "端午节", "国庆节、中秋节"]
    assert read.holidays[1] == NoticeRun(date(2025, 1, 28), date(2025, 2, 4), "春节")
    assert read.working_days[0] == NoticeRun(date(2025, 1, 26), date(2025, 1, 26), "春节调休上班")


def test_advice_to_rest_is_not_a_day_off() -> None:
    """2024's notice encourages a rest on 除夕 (2月9日) without arranging it."""
    assert date(2024, 2, 9) not in _dates(parse_notice(NOTICE_2024, 2024).holidays)
    assert chinese_calendar.is_workday(date(2024, 2, 9))


def test_through_the_policy_a_year_the_package_lacks_keeps_every_official_day(package_covering) -> None:
    package_covering(2023)
    calendar = WorkCalendar(parse_policy(_policy_with(NOTICES)))
    for year in NOTICES:
        assert calendar.has_official_days(year) and not calendar.is_covered(year)
        day = date(year, 1, 1)
        while day.year == year:
            assert calendar.is_working_day(day) == chinese_calendar.is_workday(day), day
            day += timedelta(days=1)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("元旦1月1日放假。", "没有找到「一、元旦：…」这样的编号条目"),
        ("一、元旦：1月1日至4日放假调休，共3天。", "读到的日期共 4 天"),
        ("一、春节：2月30日放假。", "没有 2027年2月30日 这一天"),
        ("一、元旦：2026年12月31日至2027年1月2日放假调休，共3天。", "2026-12-31 属于 2026 年"),
        ("一、元旦：请各单位安排好值班。", "没有读到放假日期"),
        ("一、元旦：3日至1月5日放假。", "「3日」没有月份"),
    ],
)
def test_text_that_does_not_read_names_the_item_and_the_fix(text: str, says: str) -> None:
    with pytest.raises(NoticeTextError, match=says):
        parse_notice(text, 2027)


def test_the_policy_names_the_year_and_the_item() -> None:
    broken = _policy_with({2027: "一、元旦：1月1日至4日放假调休，共3天。"})
    with pytest.raises(PolicyError) as caught:
        parse_policy(broken, source="policy.yaml")
    message = str(caught.value)
    assert "calendar.official_notices" in message and "official_notices[2027].text" in message
    assert "第一项「元旦」" in message and "请核对粘贴的原文" in message


def test_text_beside_typed_days_is_refused() -> None:
    both = _policy_with({2027: "一、元旦：1月1日至3日放假，共3天。"}).replace(
        "    2027:\n      text: |\n", "    2027:\n      holidays: [{first: 2027-01-01}]\n      text: |\n"
    )
    assert "holidays: [{first: 2027-01-01}]" in both
    with pytest.raises(PolicyError, match="同时有 text 和其他键"):
        parse_policy(both)


def test_a_misread_make_up_day_on_a_weekday_is_still_caught_by_the_policy() -> None:
    """The policy's own checks apply to a pasted notice as to typed days."""
    weekday = _policy_with({2027: "一、元旦：1月1日至3日放假，共3天。1月4日上班。"})  # 4 January 2027 is a Monday
    with pytest.raises(PolicyError, match="working_days 中有周一至周五"):
        parse_policy(weekday)


def test_policy_check_lists_the_days_it_read() -> None:
    from wecomply.commands.policy import notice_lines

    (line,) = notice_lines(parse_policy(_policy_with({2026: NOTICES[2026]})))
    assert line.startswith("2026 年通知 / notice for 2026: 放假 / days off 33 天: 元旦 01-01–01-03、春节 02-15–02-23、")
    assert "调休上班 / make-up working days: 元旦调休上班 01-04、春节调休上班 02-14、春节调休上班 02-28、" in line
    assert notice_lines(parse_policy(DEFAULT_POLICY_PATH.read_text(encoding="utf-8"))) == []


def test_full_width_digits_and_marks_read_the_same() -> None:
    wide = NOTICES[2026].translate(str.maketrans("0123456789", "０１２３４５６７８９")).replace("一、", "一．")
    assert wide != NOTICES[2026]
    assert parse_notice(wide, 2026) == parse_notice(NOTICES[2026], 2026)


def test_a_notice_pasted_in_part_is_refused_naming_the_statutory_days_it_lacks() -> None:
    """Only the first two items (元旦, 春节): 清明 onwards are missing. Accepted, it would stop
    the missing-notice reminder for a year whose later holidays are still unknown."""
    first_two = "\n".join(NOTICES[2026].splitlines()[3:5])
    assert first_two.startswith("一、元旦") and "三、" not in first_two
    with pytest.raises(PolicyError) as caught:
        parse_policy(_policy_with({2026: first_two}))
    message = str(caught.value)
    assert "official_notices[2026] 缺少法定假日" in message
    assert "2026-05-01, 2026-05-02, 2026-06-19, 2026-09-25, 2026-10-01, … (7 天 / days)" in message
    assert "paste or enter every item of the notice" in message
