"""The policy file's schema and loader.

Every number or rule a company may change lives in `include/policy.yaml`; this module is
its one validated reading. Validation is strict (no type coercion, unknown keys refused)
because a silently misread deadline or an ignored misspelt key is worse than a failed run:
the file is read inside tasks, so an HR person sees the list of problems in the task log
and in `python -m wecomply policy check`.
"""

from __future__ import annotations

import os
import re
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from wecomply.errors import UserFacingError
from wecomply.policy.holiday_notice import NoticeTextError, as_policy_entries, parse_notice
from wecomply.policy.statutory import tabled_days_off

POLICY_ENV = "WECOMPLY_POLICY"
# plugins/wecomply/policy/config.py -> the repository root is three levels above `policy/`.
DEFAULT_POLICY_PATH = Path(__file__).resolve().parents[3] / "include" / "policy.yaml"


class PolicyError(UserFacingError):
    """The policy file cannot be used; `problems` holds one line per problem."""

    def __init__(self, path: Path | str, problems: list[str] | tuple[str, ...]) -> None:
        self.path = str(path)
        self.problems = tuple(problems)
        header = (
            f"策略文件无效 / invalid policy file {self.path} "
            f"({len(self.problems)} 个问题 / problem(s)):"
        )
        super().__init__("\n".join([header, *(f"  - {p}" for p in self.problems)]))


def _bad(what: str, allowed: str) -> PydanticCustomError:
    return PydanticCustomError("policy_value", what, {"allowed": allowed})


# --- durations -----------------------------------------------------------------------------

DurationUnit = Literal["m", "h", "d", "wd"]
_DURATION_RE = re.compile(r"^(0|[1-9][0-9]{0,5})(m|h|d|wd)$")
DURATION_ALLOWED = (
    '非负整数加单位：m=分钟, h=小时, d=自然日, wd=工作日，例如 "30m" "24h" "7d" "3wd" / '
    'a non-negative whole number and a unit: m minutes, h hours, d calendar days, '
    'wd working days, e.g. "30m" "24h" "7d" "3wd"'
)


@dataclass(frozen=True, slots=True)
class DurationSpec:
    """A validated duration such as 30m, 24h, 7d (calendar days) or 3wd (working days)."""

    amount: int
    unit: DurationUnit

    @classmethod
    def parse(cls, text: str) -> DurationSpec:
        match = _DURATION_RE.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"invalid duration {text!r}; allowed: {DURATION_ALLOWED}")
        return cls(int(match.group(1)), match.group(2))  # type: ignore[arg-type]

    @property
    def is_working_days(self) -> bool:
        return self.unit == "wd"

    def as_timedelta(self) -> timedelta:
        """The wall-clock length; working days have none, since it depends on the calendar."""
        if self.unit == "m":
            return timedelta(minutes=self.amount)
        if self.unit == "h":
            return timedelta(hours=self.amount)
        if self.unit == "d":
            return timedelta(days=self.amount)
        raise ValueError(f"{self} counts working days; use WorkCalendar.deadline()")

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


def _validate_duration(value: Any) -> DurationSpec:
    if isinstance(value, DurationSpec):
        return value
    if isinstance(value, bool) or not isinstance(value, str):
        raise _bad(
            f"应为带单位的时长字符串，得到 {value!r} / expected a duration string, got {value!r}",
            DURATION_ALLOWED,
        )
    try:
        return DurationSpec.parse(value)
    except ValueError:
        raise _bad(
            f"无法识别的时长 {value!r}（不能为负数）/ unrecognised duration {value!r} "
            "(negative durations are impossible)",
            DURATION_ALLOWED,
        ) from None


Duration = Annotated[
    DurationSpec, PlainValidator(_validate_duration), PlainSerializer(str, return_type=str)
]


def _units(*allowed: str) -> AfterValidator:
    def check(value: DurationSpec) -> DurationSpec:
        if value.unit not in allowed:
            raise _bad(
                f"此处不能用单位 {value.unit!r} / unit {value.unit!r} is not allowed here",
                "单位 / units: " + ", ".join(allowed),
            )
        return value

    return AfterValidator(check)


def _positive(value: DurationSpec) -> DurationSpec:
    if value.amount <= 0:
        raise _bad("时长必须大于 0 / the duration must be greater than 0", DURATION_ALLOWED)
    return value


PositiveDuration = Annotated[Duration, AfterValidator(_positive)]


# --- times of day and dates -------------------------------------------------------------------

TIME_ALLOWED = '带引号的 "HH:MM"，00:00–23:59 / a quoted "HH:MM", 00:00-23:59'


def _validate_time(value: Any) -> time:
    if isinstance(value, time):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 18:00 as the base-60 integer 1080.
        hint = f"{value // 60:02d}:{value % 60:02d}" if 0 <= value < 24 * 60 else str(value)
        raise _bad(
            f'YAML 把未加引号的 {hint} 读成了数字 {value}；请写成 "{hint}" / '
            f'YAML read the unquoted {hint} as the number {value}; write "{hint}"',
            TIME_ALLOWED,
        )
    if isinstance(value, str):
        match = re.fullmatch(r"([01][0-9]|2[0-3]):([0-5][0-9])", value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    raise _bad(f"无效的时间 {value!r} / invalid time of day {value!r}", TIME_ALLOWED)


TimeOfDay = Annotated[
    time, PlainValidator(_validate_time), PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str)
]

DATE_ALLOWED = "YYYY-MM-DD 格式的日期 / a date written YYYY-MM-DD"


def _validate_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _bad(f"无效的日期 {value!r} / invalid date {value!r}", DATE_ALLOWED)


PolicyDate = Annotated[date, PlainValidator(_validate_date), PlainSerializer(str, return_type=str)]


# --- models ----------------------------------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class TimeWindow(_Model):
    start: TimeOfDay
    end: TimeOfDay

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: time, info: ValidationInfo) -> time:
        start = info.data.get("start")
        if start is not None and end <= start:
            raise _bad(
                f"结束时间 {end:%H:%M} 不晚于开始时间 {start:%H:%M} / "
                f"end {end:%H:%M} is not after start {start:%H:%M}",
                f"晚于 {start:%H:%M} 的时间 / a time after {start:%H:%M}",
            )
        return end


class WorkingHours(TimeWindow):
    """The daily working window; reminders that are not urgent wait for it."""

    lunch: TimeWindow | None = None

    @model_validator(mode="after")
    def _lunch_inside(self) -> WorkingHours:
        if self.lunch is not None and not (self.start < self.lunch.start and self.lunch.end < self.end):
            raise _bad(
                "午休必须完全落在工作时间之内 / the lunch break must lie inside working hours",
                f"{self.start:%H:%M} < lunch.start < lunch.end < {self.end:%H:%M}，或 null 表示不设午休 "
                "/ or null for no lunch break",
            )
        return self


class DatedNote(_Model):
    date: PolicyDate
    reason: str = ""


class NoticeDays(_Model):
    """A run of days as a State Council notice lists them: `first` to `last` (one day when
    `last` is left out), with the notice's name for them (春节, 清明节, …)."""

    first: PolicyDate
    last: PolicyDate | None = None
    name: str = ""

    @model_validator(mode="after")
    def _in_order(self) -> NoticeDays:
        if self.last is not None and self.last < self.first:
            raise _bad(
                f"last {self.last} 早于 first {self.first} / last {self.last} is before first {self.first}",
                "last 不早于 first，单日可省略 last / last on or after first; leave last out for one day",
            )
        return self

    @property
    def dates(self) -> list[date]:
        last = self.last or self.first
        return [self.first + timedelta(days=n) for n in range((last - self.first).days + 1)]

    @property
    def label(self) -> str:
        """`春节 02-15–02-23`, as `policy check` and the calendar check list a notice read."""
        span = f"{self.first:%m-%d}" + (f"–{self.last:%m-%d}" if self.last and self.last != self.first else "")
        return f"{self.name} {span}" if self.name else span

    @staticmethod
    def listed(days: list[NoticeDays], separator: str, empty: str) -> str:
        """The runs' labels on one line, or `empty` when there are none."""
        return separator.join(d.label for d in days) or empty


class OfficialNotice(_Model):
    """One year's 国务院办公厅关于部分节假日安排的通知, entered by the company because the
    installed chinesecalendar predates it: the days off (放假调休, weekends inside a holiday
    included or not, as the notice gives them) and the make-up working days (调休上班)."""

    holidays: list[NoticeDays] = Field(min_length=1)
    working_days: list[NoticeDays] = Field(default_factory=list)

    @property
    def holiday_dates(self) -> frozenset[date]:
        return frozenset(d for days in self.holidays for d in days.dates)

    @property
    def working_dates(self) -> frozenset[date]:
        return frozenset(d for days in self.working_days for d in days.dates)


NoticeYear = Annotated[int, Field(ge=2000, le=2100)]


def _some_dates(days: list[date], shown: int = 5) -> str:
    # A mistyped `last` (2072 for 2027) spans thousands of days: name a few and the count.
    listed = ", ".join(map(str, days[:shown]))
    return listed if len(days) <= shown else f"{listed}, … ({len(days)} 天 / days)"


class CalendarPolicy(_Model):
    source: Literal["chinese_calendar", "weekends"] = "chinese_calendar"
    extra_holidays: list[DatedNote] = Field(default_factory=list)
    extra_working_days: list[DatedNote] = Field(default_factory=list)
    # The State Council publishes next year's notice in November or December; a
    # chinesecalendar release follows later, and the registry may not have it when January
    # comes. Until then the company enters the notice here, so deadlines keep 调休.
    official_notices: dict[NoticeYear, OfficialNotice] = Field(default_factory=dict)

    @field_validator("official_notices", mode="before")
    @classmethod
    def _read_pasted_notices(cls, value: Any) -> Any:
        """A notice given as `text` (pasted as published) is read into its days here, then
        checked like one typed in as `holidays` and `working_days`."""
        if not isinstance(value, dict):
            return value
        read = dict(value)
        for year, notice in value.items():
            if not (isinstance(notice, dict) and "text" in notice):
                continue
            where = f"official_notices[{year}]"
            if set(notice) != {"text"} or not isinstance(notice["text"], str) or not str(year).isdigit():
                raise _bad(
                    f"{where} 同时有 text 和其他键，或 text 不是文本 / {where} has text beside other keys, "
                    "or a text that is not a string",
                    "只填 text（通知原文），或只填 holidays / working_days / either text (the notice as "
                    "published) alone, or holidays and working_days",
                )
            try:
                read[year] = as_policy_entries(parse_notice(notice["text"], int(year)))
            except NoticeTextError as exc:
                raise _bad(
                    f"{where}.text: {exc}",
                    "国务院办公厅节假日安排通知的正文，每个编号条目（一、元旦：…）一行 / the text of the "
                    "State Council's notice, one numbered item (一、元旦：…) per line",
                ) from None
        return read

    @model_validator(mode="after")
    def _notices_fit_their_years(self) -> CalendarPolicy:
        for year, notice in self.official_notices.items():
            where = f"official_notices[{year}]"
            off, on = notice.holiday_dates, notice.working_dates
            stray = sorted(d for d in off | on if d.year != year)
            if stray:
                raise _bad(
                    f"{where} 中有不属于 {year} 年的日期 / {where} lists dates outside {year}: "
                    + _some_dates(stray),
                    f"只填 {year} 年的日期；跨年的假期分别填入两年 / dates of {year} only; "
                    "a holiday across new year goes under both years",
                )
            both = sorted(off & on)
            if both:
                raise _bad(
                    f"{where} 中日期同时是放假和上班 / {where} lists date(s) as both a day off and "
                    "a working day: " + _some_dates(both),
                    "按通知原文核对 / check against the notice",
                )
            weekdays = sorted(d for d in on if d.weekday() < 5)
            if weekdays:
                raise _bad(
                    f"{where}.working_days 中有周一至周五 / {where}.working_days lists weekday(s): "
                    + ", ".join(f"{d} ({d:%a})" for d in weekdays),
                    "调休上班日是通知中的周六或周日 / make-up working days are the notice's "
                    "Saturdays and Sundays",
                )
            # A notice lists every statutory day off; one without them was pasted or typed in
            # part, and would silence the missing-notice reminder for a half-known year.
            missing = sorted(d for d in tabled_days_off(year) if d not in off)
            if missing:
                raise _bad(
                    f"{where} 缺少法定假日 / {where} lacks statutory day(s) off: " + _some_dates(missing),
                    "粘贴或填写通知的全部条目：依《全国年节及纪念日放假办法》，这些法定假日每年都放假 / "
                    "paste or enter every item of the notice: by law these statutory days are off every year",
                )
        return self

    @model_validator(mode="after")
    def _no_conflicts(self) -> CalendarPolicy:
        holidays = [n.date for n in self.extra_holidays]
        workdays = [n.date for n in self.extra_working_days]
        both = sorted(set(holidays) & set(workdays))
        if both:
            raise _bad(
                "日期同时出现在 extra_holidays 和 extra_working_days / date(s) listed as both "
                "a holiday and a working day: " + ", ".join(map(str, both)),
                "每个日期只出现在其中一个列表 / each date in one list only",
            )
        for name, days in (("extra_holidays", holidays), ("extra_working_days", workdays)):
            dupes = sorted({d for d in days if days.count(d) > 1})
            if dupes:
                raise _bad(
                    f"{name} 中日期重复 / repeated date(s) in {name}: " + ", ".join(map(str, dupes)),
                    "每个日期出现一次 / each date once",
                )
        return self

    @property
    def holiday_dates(self) -> frozenset[date]:
        return frozenset(n.date for n in self.extra_holidays)

    @property
    def working_dates(self) -> frozenset[date]:
        return frozenset(n.date for n in self.extra_working_days)


class RoleGroup(_Model):
    """Who holds a function: explicit WeCom userids and/or roster roles (the `role` column)."""

    userids: list[str] = Field(default_factory=list)
    roster_roles: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _not_empty(self) -> RoleGroup:
        if not self.userids and not self.roster_roles:
            raise _bad(
                "没有指定任何人 / names nobody",
                "至少一个 userids 或 roster_roles 条目 / at least one userid or roster role",
            )
        return self


class Roles(_Model):
    hr: RoleGroup
    admin: RoleGroup
    it: RoleGroup
    infosec: RoleGroup
    leadership: RoleGroup


RecipientRole = Literal[
    "assignee", "direct_leader", "department_head", "hr", "admin", "it", "infosec", "leadership"
]
GROUP_ROLES: tuple[str, ...] = ("hr", "admin", "it", "infosec", "leadership")
StepKind = Literal["remind", "escalate", "notify"]
_STEP_RE = re.compile(r"^(remind|escalate|notify)-[a-z0-9]+(-[a-z0-9]+)*$")


class LadderStep(_Model):
    """One rung: when (exactly one anchor) and to whom.

    The step name is part of the outbox key (duty, subject, period, step), so renaming a
    step in the file makes the next run treat it as a new, unsent step.
    """

    step: str
    before_due: Duration | None = None
    after_assigned: Duration | None = None
    after_due: Duration | None = None
    notify: list[RecipientRole] = Field(min_length=1)

    @field_validator("step")
    @classmethod
    def _step_name(cls, value: str) -> str:
        if not _STEP_RE.match(value):
            raise _bad(
                f"无效的步骤名 {value!r} / invalid step name {value!r}",
                "remind-… / escalate-… / notify-…，小写字母数字和连字符 / lower-case letters, "
                "digits and hyphens, e.g. remind-1, escalate-leader",
            )
        return value

    @model_validator(mode="after")
    def _one_anchor(self) -> LadderStep:
        anchors = [a for a in ("before_due", "after_assigned", "after_due") if getattr(self, a) is not None]
        if len(anchors) != 1:
            raise _bad(
                f"步骤 {self.step} 需要且只能有一个时间锚点，得到 {anchors or '无'} / step {self.step} "
                f"needs exactly one timing, got {anchors or 'none'}",
                "before_due | after_assigned | after_due",
            )
        if self.kind == "escalate" and self.before_due is not None:
            raise _bad(
                f"升级步骤 {self.step} 不能早于截止时间 / escalation {self.step} cannot come before the deadline",
                "after_due 或 after_assigned / after_due or after_assigned",
            )
        return self

    @property
    def kind(self) -> StepKind:
        return self.step.split("-", 1)[0]  # type: ignore[return-value]


def _unique_steps(steps: list[LadderStep]) -> list[LadderStep]:
    names = [s.step for s in steps]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise _bad(
            "步骤名重复 / repeated step name(s): " + ", ".join(dupes),
            "每个步骤名在一条阶梯中唯一 / unique step names within a ladder",
        )
    return steps


Ladder = Annotated[list[LadderStep], AfterValidator(_unique_steps)]
Percent = Annotated[int, Field(ge=0, le=100)]
Clock = Literal["calendar", "working_days"]


class OnboardingPolicy(_Model):
    deadline: PositiveDuration
    assign_within: Annotated[PositiveDuration, _units("d", "wd")]
    ladder: Ladder


class PeriodicTrainingPolicy(_Model):
    cadence: Literal["quarterly", "monthly"]
    deadline: PositiveDuration
    ladder: Ladder

    @model_validator(mode="after")
    def _deadline_fits_cadence(self) -> PeriodicTrainingPolicy:
        spec = self.deadline
        limit = {"quarterly": 90, "monthly": 28}[self.cadence]
        days = spec.amount * {"m": 1 / 1440, "h": 1 / 24, "d": 1, "wd": 7 / 5}[spec.unit]
        if days > limit:
            raise _bad(
                f"deadline {spec} 超出一个周期 / is longer than one {self.cadence} period",
                f"不超过约 {limit} 天 / at most about {limit} days",
            )
        return self


class RemedialTrainingPolicy(_Model):
    deadline: PositiveDuration
    ladder: Ladder


class DimensionWeights(_Model):
    training: Percent
    acknowledgement: Percent
    minutes: Percent
    reminders: Percent
    violations: Percent

    @model_validator(mode="after")
    def _sum_100(self) -> DimensionWeights:
        total = sum(self.as_dict().values())
        if total != 100:
            raise _bad(
                f"权重之和为 {total}，应为 100 / the weights add up to {total}, not 100",
                "五个 0–100 的整数，和为 100 / five integers 0-100 adding up to 100",
            )
        return self

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in type(self).model_fields}


class AssessmentPolicy(_Model):
    weights: DimensionWeights
    pass_mark: Annotated[float, Field(ge=0, le=100)]
    excellent_mark: Annotated[float, Field(ge=0, le=100)]
    consecutive_fails_for_remedial: Annotated[int, Field(ge=1, le=12)]
    acknowledgement_late_credit: Percent
    reminder_penalty: Percent
    violation_penalty: Percent

    @model_validator(mode="after")
    def _marks_ordered(self) -> AssessmentPolicy:
        if self.excellent_mark < self.pass_mark:
            raise _bad(
                f"优秀线 {self.excellent_mark} 低于及格线 {self.pass_mark} / excellent_mark "
                f"{self.excellent_mark} is below pass_mark {self.pass_mark}",
                f"excellent_mark ≥ pass_mark ({self.pass_mark})",
            )
        return self


class MessagePolicy(_Model):
    reply_within: PositiveDuration
    clock: Clock


class NoticePolicy(_Model):
    default_deadline: PositiveDuration
    ladder: Ladder


class MeetingPolicy(_Model):
    minutes_within: PositiveDuration
    receipt_within: PositiveDuration
    clock: Clock
    minutes_ladder: Ladder
    receipt_ladder: Ladder


class AccountPolicy(_Model):
    request_review_within: PositiveDuration
    request_ladder: Ladder
    password_max_age: PositiveDuration
    password_notice_before: Duration
    password_ladder: Ladder
    activation_within: PositiveDuration
    findings_fix_within: PositiveDuration
    findings_ladder: Ladder


class IncidentPolicy(_Model):
    report_within: Annotated[PositiveDuration, _units("m", "h")]
    ladder: Ladder


class WeComActions(_Model):
    auto_disable_leavers: bool
    duplicate_check_interval_s: Annotated[int, Field(ge=1, le=14400)]


class Policy(_Model):
    version: Literal[1]
    timezone: Literal["Asia/Shanghai"]
    locale: Literal["zh_CN", "en"]
    working_hours: WorkingHours
    calendar: CalendarPolicy
    roles: Roles
    wecom_actions: WeComActions
    onboarding: OnboardingPolicy
    periodic_training: PeriodicTrainingPolicy
    remedial_training: RemedialTrainingPolicy
    assessment: AssessmentPolicy
    messages: MessagePolicy
    notices: NoticePolicy
    meetings: MeetingPolicy
    accounts: AccountPolicy
    incidents: IncidentPolicy


# --- loading ---------------------------------------------------------------------------------


# libyaml's parser where PyYAML has it (its PyPI wheels do): every task loads the policy,
# and the pure-Python parser took 39 ms for include/policy.yaml against 5 ms. Construction
# (and so the repeated-key check below) stays in Python either way.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that refuses repeated keys, which PyYAML would otherwise let win silently."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Mark] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"repeated key {key!r} (first at line {seen[key].line + 1})", key_node.start_mark
            )
        seen[key] = key_node.start_mark
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def resolve_policy_path(path: str | os.PathLike[str] | None = None) -> Path:
    if path is not None:
        return Path(path)
    env = os.environ.get(POLICY_ENV)
    return Path(env) if env else DEFAULT_POLICY_PATH


def load_policy(path: str | os.PathLike[str] | None = None) -> Policy:
    """Read and validate the policy file: `path`, else $WECOMPLY_POLICY, else include/policy.yaml."""
    resolved = resolve_policy_path(path)
    try:
        text = resolved.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(
            resolved,
            [f"{resolved}: 文件不存在 / file not found; 请检查路径或 ${POLICY_ENV} / check the path or ${POLICY_ENV}"],
        ) from None
    except UnicodeDecodeError as exc:
        raise PolicyError(resolved, [f"{resolved}: 不是 UTF-8 编码 / not UTF-8 ({exc.reason}); 请另存为 UTF-8 / save it as UTF-8"]) from None
    return parse_policy(text, source=resolved)


def parse_policy(text: str, *, source: str | os.PathLike[str] = "<policy>") -> Policy:
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "?"
        problem = getattr(exc, "problem", None) or str(exc)
        raise PolicyError(source, [f"{source}: {where}: YAML 语法错误 / YAML syntax error: {problem}"]) from None
    if not isinstance(data, dict):
        raise PolicyError(source, [f"{source}: 顶层应为键值映射 / the top level must be a mapping of keys"])
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(source, [format_problem(source, err) for err in exc.errors()]) from None


def format_problem(source: str | os.PathLike[str], err: Any) -> str:
    loc = tuple(err["loc"])
    path = _key_path(loc) or "(top level)"
    what, allowed = _describe(err, loc)
    return f"{source}: {path}: {what}; allowed: {allowed}"


def _key_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "tagged-union", "list[")) or part == "[key]":
            # pydantic inserts validator names into the location; they are not keys.
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _describe(err: Any, loc: tuple[Any, ...]) -> tuple[str, str]:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    received = err.get("input")
    if kind == "policy_value":
        return err["msg"], str(ctx.get("allowed", ""))
    if kind == "missing":
        model = _model_at(loc)
        needs = f"包含键 / with keys: {', '.join(model.model_fields)}" if model else "见 include/policy.yaml 的注释 / see the comments in include/policy.yaml"
        return "缺少必填键 / required key is missing", needs
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        keys = ", ".join(model.model_fields) if model else "?"
        return f"未知的键 {loc[-1]!r} / unknown key {loc[-1]!r}", f"keys: {keys}"
    if kind == "literal_error":
        return f"不允许的值 {received!r} / value {received!r} not allowed", str(ctx.get("expected"))
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        bounds = {
            "greater_than_equal": f"≥ {ctx.get('ge')}",
            "less_than_equal": f"≤ {ctx.get('le')}",
            "greater_than": f"> {ctx.get('gt')}",
            "less_than": f"< {ctx.get('lt')}",
        }[kind]
        return f"数值 {received!r} 超出范围 / value {received!r} out of range", bounds
    if kind == "too_short":
        return "不能为空 / must not be empty", f"至少 {ctx.get('min_length')} 项 / at least {ctx.get('min_length')} item(s)"
    expected = {
        "int_type": "整数 / an integer",
        "float_type": "数字 / a number",
        "bool_type": "true 或 false / true or false",
        "string_type": "字符串 / a string",
        "list_type": "列表 / a list",
        "model_type": "键值映射 / a mapping of keys",
        "dict_type": "键值映射 / a mapping of keys",
        "model_attributes_type": "键值映射 / a mapping of keys",
    }.get(kind)
    if expected:
        return f"类型错误，得到 {type(received).__name__} {received!r} / wrong type", expected
    return err["msg"], "见 include/policy.yaml 的注释 / see the comments in include/policy.yaml"


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Policy
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        model = _find_model(field.annotation) if field else None
    return model


def _find_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _find_model(arg)
            if found is not None:
                return found
    return None
