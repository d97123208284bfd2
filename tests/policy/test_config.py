"""The policy file: the shipped defaults, and every way a file can be wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.fixtures.policy_files import statutory_holidays
from wecomply.cli import main
from wecomply.commands.policy import calendar_warnings
from wecomply.errors import UserFacingError
from wecomply.policy.calendar import WorkCalendar
from wecomply.policy.config import (
    DEFAULT_POLICY_PATH,
    POLICY_ENV,
    DurationSpec,
    PolicyError,
    load_policy,
)

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_policy_has_the_handbook_defaults(policy):
    assert policy.timezone == "Asia/Shanghai"
    assert policy.locale == "zh_CN"
    assert (policy.working_hours.start, policy.working_hours.end) == (time(9), time(18))
    assert policy.onboarding.deadline == DurationSpec(7, "d")  # v1 §6: one week, the stricter
    assert policy.periodic_training.cadence == "quarterly"
    assert policy.meetings.minutes_within == DurationSpec(24, "h")
    assert policy.incidents.report_within == DurationSpec(30, "m")
    assert policy.accounts.request_review_within == DurationSpec(3, "wd")
    assert policy.accounts.password_max_age == DurationSpec(90, "d")
    assert policy.messages.reply_within == DurationSpec(24, "h")
    assert policy.assessment.consecutive_fails_for_remedial == 2
    assert sum(policy.assessment.weights.as_dict().values()) == 100
    assert 0 <= policy.assessment.pass_mark <= 100
    assert policy.wecom_actions.auto_disable_leavers is False
    assert policy.wecom_actions.duplicate_check_interval_s <= 14400
    assert [s.step for s in policy.onboarding.ladder][-1] == "escalate-hr"


def test_env_variable_selects_another_file(monkeypatch, raw_policy, write_policy):
    raw_policy["assessment"]["pass_mark"] = 75
    monkeypatch.setenv(POLICY_ENV, str(write_policy(raw_policy)))
    assert load_policy().assessment.pass_mark == 75


def test_explicit_path_beats_the_env_variable(monkeypatch, tmp_path):
    monkeypatch.setenv(POLICY_ENV, str(tmp_path / "missing.yaml"))
    assert load_policy(DEFAULT_POLICY_PATH).version == 1


def _set(data: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is _DELETE:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value


class _Deleted:
    """Marks a key to remove; its repr is stable so every pytest-xdist worker collects
    the same test ids."""

    def __repr__(self) -> str:
        return "<deleted>"


_DELETE = _Deleted()

BAD_VALUES = [
    ("onboarding.deadline", "-7d", "onboarding.deadline:", "negative"),
    ("onboarding.deadline", "7 days", "onboarding.deadline:", '"7d"'),
    ("onboarding.deadline", 7, "onboarding.deadline:", "duration string"),
    ("onboarding.deadline", "0d", "onboarding.deadline:", "greater than 0"),
    ("incidents.report_within", "1d", "incidents.report_within:", "units: m, h"),
    ("assessment.pass_mark", 120, "assessment.pass_mark:", "≤ 100"),
    ("assessment.pass_mark", -1, "assessment.pass_mark:", "≥ 0"),
    ("assessment.weights.training", 20, "assessment.weights:", "add up to 90"),
    ("assessment.excellent_mark", 50, "assessment:", "below pass_mark"),
    ("assessment.consecutive_fails_for_remedial", 0, "assessment.consecutive_fails_for_remedial:", "≥ 1"),
    ("working_hours.end", "08:00", "working_hours.end:", "not after start"),
    ("working_hours.start", "9am", "working_hours.start:", "HH:MM"),
    ("working_hours.lunch.end", "19:00", "working_hours:", "inside working hours"),
    ("wecom_actions.duplicate_check_interval_s", 20000, "wecom_actions.duplicate_check_interval_s:", "≤ 14400"),
    ("wecom_actions.auto_disable_leavers", "yes please", "wecom_actions.auto_disable_leavers:", "true or false"),
    ("timezone", "Europe/Paris", "timezone:", "'Asia/Shanghai'"),
    ("locale", "fr_FR", "locale:", "'zh_CN'"),
    ("calendar.source", "google", "calendar.source:", "chinese_calendar"),
    ("calendar.extra_holidays", [{"date": "2026-13-01"}], "calendar.extra_holidays[0].date:", "YYYY-MM-DD"),
    ("calendar.official_notices", {2027: {"holidays": [{"first": "2026-12-31"}]}}, "calendar:", "dates of 2027 only"),
    (
        "calendar.official_notices", {2027: {"holidays": [{"first": "2027-01-03", "last": "2027-01-01"}]}},
        "calendar.official_notices[2027].holidays[0]:", "last on or after first",
    ),
    (
        "calendar.official_notices",
        {2027: {"holidays": [{"first": "2027-01-01"}], "working_days": [{"first": "2027-01-04"}]}},
        "calendar:", "Saturdays and Sundays",
    ),
    (
        "calendar.official_notices",
        {2027: {"holidays": [{"first": "2027-01-01", "last": "2027-01-03"}], "working_days": [{"first": "2027-01-02"}]}},
        "calendar:", "check against the notice",
    ),
    ("calendar.official_notices", {2027: {"holidays": []}}, "calendar.official_notices[2027].holidays:", "at least 1"),
    (
        "calendar.official_notices", {2027: {"holidays": [{"first": "2027-10-01", "last": "2072-10-07"}]}},
        "calendar:", "outside 2027: 2028-01-01, 2028-01-02, 2028-01-03, 2028-01-04, 2028-01-05, … (16352 天 / days)",
    ),
    ("calendar.official_notices", {"2027": {"holidays": [{"first": "2027-01-01"}]}}, "calendar.official_notices.2027:", "integer"),
    ("calendar.official_notices", {1927: {"holidays": [{"first": "1927-01-01"}]}}, "calendar.official_notices[1927]:", "≥ 2000"),
    ("roles.hr", {"userids": [], "roster_roles": []}, "roles.hr:", "at least one"),
    ("onboarding.ladder.0.step", "nag-1", "onboarding.ladder[0].step:", "remind-"),
    ("onboarding.ladder.0.after_due", "1d", "onboarding.ladder[0]:", "exactly one timing"),
    ("onboarding.ladder.2.before_due", "1d", "onboarding.ladder[2]:", "exactly one timing"),
    ("onboarding.ladder.1.step", "remind-1", "onboarding.ladder:", "repeated step name"),
    ("onboarding.ladder.0.notify", ["ceo"], "onboarding.ladder[0].notify[0]:", "'direct_leader'"),
    ("onboarding.ladder.0.notify", [], "onboarding.ladder[0].notify:", "at least 1"),
    ("periodic_training.deadline", "120d", "periodic_training:", "longer than one quarterly period"),
    ("onboarding.deadlin", "7d", "onboarding.deadlin:", "keys: deadline, assign_within, ladder"),
    ("meetings", _DELETE, "meetings:", "minutes_within"),
]


@pytest.mark.parametrize(("path", "value", "where", "allowed"), BAD_VALUES, ids=[b[0] + "=" + repr(b[1]) for b in BAD_VALUES])
def test_impossible_values_name_the_key_and_what_is_allowed(raw_policy, write_policy, path, value, where, allowed):
    _set(raw_policy, path, value)
    file = write_policy(raw_policy)
    with pytest.raises(PolicyError) as caught:
        load_policy(file)
    assert isinstance(caught.value, UserFacingError)
    problems = caught.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{file}: {where}"), problems[0]
    assert "; allowed:" in problems[0]
    assert allowed in problems[0], problems[0]


def test_escalation_before_the_deadline_is_refused(raw_policy, write_policy):
    raw_policy["onboarding"]["ladder"][2] = {"step": "escalate-leader", "before_due": "1d", "notify": ["direct_leader"]}
    with pytest.raises(PolicyError, match=r"onboarding\.ladder\[2\]: .*cannot come before the deadline"):
        load_policy(write_policy(raw_policy))


def test_a_date_listed_as_holiday_and_working_day_is_refused(raw_policy, write_policy):
    raw_policy["calendar"]["extra_holidays"] = [{"date": "2026-02-13", "reason": "年会"}]
    raw_policy["calendar"]["extra_working_days"] = [{"date": "2026-02-13"}]
    with pytest.raises(PolicyError, match=r"calendar: .*2026-02-13"):
        load_policy(write_policy(raw_policy))


def test_every_problem_is_listed_at_once(raw_policy, write_policy):
    raw_policy["assessment"]["pass_mark"] = 101
    raw_policy["working_hours"]["end"] = "07:00"
    raw_policy["wecom_actions"]["surprise"] = True
    with pytest.raises(PolicyError) as caught:
        load_policy(write_policy(raw_policy))
    keys = sorted(p.split(": ")[1] for p in caught.value.problems)
    assert keys == ["assessment.pass_mark", "wecom_actions.surprise", "working_hours.end"]
    assert "unknown key 'surprise'" in str(caught.value)


def test_unquoted_time_read_as_a_number_gets_a_hint(write_policy):
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8").replace('end: "18:00"', "end: 18:00")
    with pytest.raises(PolicyError, match=r'working_hours\.end: .*write "18:00"'):
        load_policy(write_policy(text))


def test_repeated_yaml_key_is_refused_with_its_line(write_policy):
    text = DEFAULT_POLICY_PATH.read_text(encoding="utf-8") + "\nlocale: en\n"
    with pytest.raises(PolicyError, match=r"line \d+, column 1: .*repeated key 'locale'"):
        load_policy(write_policy(text))


def test_yaml_syntax_error_names_the_line(write_policy):
    with pytest.raises(PolicyError, match=r"line 2, column 11: YAML .*mapping values"):
        load_policy(write_policy("version: 1\nlocale: en: zh\n"))


def test_missing_file_says_where_it_looked(tmp_path):
    with pytest.raises(PolicyError, match="file not found") as caught:
        load_policy(tmp_path / "nope.yaml")
    assert str(tmp_path / "nope.yaml") in str(caught.value)


def test_top_level_must_be_a_mapping(write_policy):
    with pytest.raises(PolicyError, match="top level must be a mapping"):
        load_policy(write_policy("- just\n- a list\n"))


def test_cli_check_prints_a_chinese_summary(capsys):
    assert main(["policy", "check", str(DEFAULT_POLICY_PATH)]) == 0
    out = capsys.readouterr().out
    assert "工作时间 09:00–18:00" in out
    assert "入职培训 7d 内完成" in out
    assert "离职账号自动停用：关闭" in out
    assert "policy file is valid" in out


def test_cli_check_fails_with_exit_2_and_one_line_per_problem(raw_policy, write_policy, capsys):
    raw_policy["assessment"]["pass_mark"] = 101
    raw_policy["incidents"]["report_within"] = "2d"
    assert main(["policy", "check", str(write_policy(raw_policy))]) == 2
    err = capsys.readouterr().err
    assert "2 个问题 / problem(s)" in err
    assert "assessment.pass_mark" in err and "incidents.report_within" in err


def test_importing_policy_and_duties_reads_no_file():
    env = {**os.environ, POLICY_ENV: "/nonexistent/policy.yaml"}
    code = (
        "import wecomply.policy.config, wecomply.policy.calendar, wecomply.commands.policy\n"
        "import wecomply.duties.onboarding, wecomply.duties.training, wecomply.duties.assessment\n"
        "import wecomply.duties.accounts, wecomply.duties.meetings, wecomply.duties.notices\n"
        "import wecomply.duties.incidents, sys\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in {'airflow', 'sqlalchemy', 'requests'}]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr



# The last year the installed chinesecalendar covers (2026 for 1.11.0).
LAST_COVERED = max(WorkCalendar().covered_years)


def _calendar_warnings(policy, today: date) -> list[str]:
    return calendar_warnings(policy, WorkCalendar(policy), today)


def test_policy_check_warns_from_november_that_next_years_notice_is_missing(policy):
    assert _calendar_warnings(policy, date(LAST_COVERED, 10, 31)) == []
    (warning,) = _calendar_warnings(policy, date(LAST_COVERED, 11, 1))
    assert f"no official holidays for {LAST_COVERED + 1} yet" in warning
    assert f"calendar.official_notices.{LAST_COVERED + 1}" in warning
    # In the uncovered year itself it is said all year.
    assert len(_calendar_warnings(policy, date(LAST_COVERED + 1, 6, 1))) == 1


def test_policy_check_is_quiet_about_an_entered_notice_and_says_when_one_is_superseded(raw_policy, write_policy):
    raw_policy["calendar"]["official_notices"] = {
        year: {"holidays": statutory_holidays(year)} for year in (LAST_COVERED, LAST_COVERED + 1)
    }
    policy = load_policy(write_policy(raw_policy))
    (note,) = _calendar_warnings(policy, date(LAST_COVERED, 12, 1))
    assert f"chinesecalendar now covers {LAST_COVERED}: calendar.official_notices.{LAST_COVERED} is not used" in note


def test_a_weekends_only_calendar_has_nothing_to_warn_about(raw_policy, write_policy):
    raw_policy["calendar"]["source"] = "weekends"
    assert _calendar_warnings(load_policy(write_policy(raw_policy)), date(LAST_COVERED + 1, 1, 4)) == []


def test_cli_check_warns_on_the_day_it_runs(capsys):
    with time_machine.travel(datetime(LAST_COVERED, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        assert main(["policy", "check", str(DEFAULT_POLICY_PATH)]) == 0
    out = capsys.readouterr().out
    assert f"还没有 {LAST_COVERED + 1} 年的国务院节假日安排" in out
    assert "policy file is valid" in out
