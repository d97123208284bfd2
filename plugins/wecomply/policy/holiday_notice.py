"""Read a State Council holiday notice (国务院办公厅关于…年部分节假日安排的通知) as published.

HR pastes the notice into the policy (`calendar.official_notices.<year>.text`) instead of
retyping its dates, which is where a wrong day creeps in. The notice has kept one form for
years, one numbered item per holiday:

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。

Only the numbered items are read: the preamble restates the rules with dates of its own
(自2025年1月1日起…放假), and the signature is dated. Within an item, a clause that says 放假
gives days off and one that says 上班 gives make-up working days; any other clause is advice
(鼓励…安排职工在除夕休息), not an arrangement. Where the item says how many days (共9天,
放假1天), the dates read must add up to it, so a misread range fails here, not in a deadline.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

_ITEM = re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]\s*([^：:，,。]{1,20}?)\s*[：:]\s*(.+)$")
# Annotations such as （农历正月初七、周一） carry 七、 which would read as an item mark: they go first.
_NOTE = re.compile(r"[（(][^（）()]*[）)]")
_ITEM_START = re.compile(r"([。\s])([一二三四五六七八九十]{1,3}[、.])")
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*[日号]")
_COUNT = re.compile(r"(?:共|放假)\s*(\d{1,2})\s*天")
_CLAUSE = re.compile(r"[。；;，,]")
_RANGE = re.compile(r"^\s*(?:至|到|-|－|—|~|～)\s*$")


class NoticeTextError(ValueError):
    """The text does not read as a holiday notice; the message names the item and the fix."""


@dataclass(frozen=True)
class NoticeRun:
    first: date
    last: date
    name: str


@dataclass(frozen=True)
class NoticeArrangement:
    holidays: tuple[NoticeRun, ...]
    working_days: tuple[NoticeRun, ...]


def parse_notice(text: str, year: int) -> NoticeArrangement:
    """The days off and make-up working days the notice for `year` arranges.

    Raises `NoticeTextError` when no numbered item is found, an item arranges no day off,
    a date is impossible or of another year, or a count (共N天) disagrees with its dates.
    """
    holidays: list[NoticeRun] = []
    working: list[NoticeRun] = []
    # A notice copied from a web page may arrive as one paragraph: each item starts a line.
    # NFKC first: a copy may carry full-width digits (１月１日) and punctuation.
    lines = _ITEM_START.sub(r"\1\n\2", _NOTE.sub("", unicodedata.normalize("NFKC", text))).splitlines()
    items = [m for m in map(_ITEM.match, lines) if m]
    if not items:
        raise NoticeTextError(
            "没有找到「一、元旦：…」这样的编号条目；请粘贴通知正文，每项一行 / no numbered item such as "
            "「一、元旦：…」 was found; paste the notice's text with one item per line"
        )
    for match in items:
        number, name, body = match[1], match[2].strip(), match[3]
        where = f"第{number}项「{name}」/ item {number} ({name})"
        off = _runs(body, year, name, where, keyword="放假")
        if not off:
            raise NoticeTextError(f"{where}: 没有读到放假日期 / no day off was read: {body.strip()}")
        holidays += off
        working += [NoticeRun(r.first, r.last, f"{name}调休上班") for r in _runs(body, year, name, where, keyword="上班")]
    return NoticeArrangement(tuple(holidays), tuple(working))


def _runs(body: str, year: int, name: str, where: str, *, keyword: str) -> list[NoticeRun]:
    runs: list[NoticeRun] = []
    for sentence in re.split(r"[。；;]", body):
        counted = 0
        for clause in _CLAUSE.split(sentence):
            if keyword in clause and ("放假" in clause) == (keyword == "放假"):
                found = _dates_in(clause, year, where)
                runs += [NoticeRun(first, last, name) for first, last in found]
                counted += sum((last - first).days + 1 for first, last in found)
        stated = _COUNT.search(sentence)
        if keyword == "放假" and stated and counted and int(stated[1]) != counted:
            raise NoticeTextError(
                f"{where}: 通知写「{stated[0]}」，读到的日期共 {counted} 天；请核对粘贴的原文 / the notice says "
                f"{stated[1]} days but the dates read add up to {counted}; check the pasted text: {sentence.strip()}"
            )
    for run in runs:
        for day in (run.first, run.last):
            if day.year != year:
                raise NoticeTextError(
                    f"{where}: {day} 属于 {day.year} 年，不在 {year} 年的通知范围内；请从原文删去该日期，"
                    f"改在 calendar.extra_holidays 或 extra_working_days 中填入 / {day} is in {day.year}, "
                    f"not {year}: remove it from the pasted text and enter it under calendar.extra_holidays "
                    "or extra_working_days instead"
                )
    return runs


def _dates_in(clause: str, year: int, where: str) -> list[tuple[date, date]]:
    """Dates and ranges in one clause, in order; a date without a year or month takes the
    one before it (至3日 after 1月1日)."""
    found: list[tuple[date, date]] = []
    current_year, month = year, None
    previous_end = 0
    for match in _DATE.finditer(clause):
        current_year = int(match[1]) if match[1] else current_year
        month = int(match[2]) if match[2] else month
        if month is None:
            raise NoticeTextError(f"{where}: 「{match[0]}」没有月份 / 「{match[0]}」 has no month: {clause.strip()}")
        try:
            day = date(current_year, month, int(match[3]))
        except ValueError:
            raise NoticeTextError(
                f"{where}: 没有 {current_year}年{month}月{match[3]}日 这一天 / there is no such day: {clause.strip()}"
            ) from None
        if found and _RANGE.match(clause[previous_end : match.start()]):
            first = found.pop()[0]
            if day < first:
                raise NoticeTextError(f"{where}: 「{clause.strip()}」的结束日早于开始日 / the range ends before it starts")
            found.append((first, day))
        else:
            found.append((day, day))
        previous_end = match.end()
    return found


def as_policy_entries(arrangement: NoticeArrangement) -> dict[str, list[dict[str, object]]]:
    """The arrangement in the policy's own form (`official_notices.<year>` with
    `holidays` and `working_days`), for the policy to validate like a typed-in entry."""

    def entries(runs: tuple[NoticeRun, ...]) -> list[dict[str, object]]:
        return [
            {"first": r.first, "name": r.name} | ({"last": r.last} if r.last != r.first else {}) for r in runs
        ]

    return {"holidays": entries(arrangement.holidays), "working_days": entries(arrangement.working_days)}
