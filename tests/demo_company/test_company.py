"""The demo company: deterministic, well-formed, and every scenario fact really there."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from demo_company import ROSTER_HEADER, build_company, previous_assessments, write_roster_csv
from demo_company.behaviour import Behaviour, Plan
from demo_company.model import ROLES, Company
from demo_company.workdays import SHANGHAI, add_working_time, is_working_day

USERID = re.compile(r"[A-Za-z0-9_@.\-]{1,64}")


@pytest.fixture(scope="module")
def company() -> Company:
    return build_company()


def test_same_seed_gives_identical_roster_bytes(tmp_path: Path) -> None:
    first = write_roster_csv(build_company(seed=11), tmp_path / "a.csv").read_bytes()
    second = write_roster_csv(build_company(seed=11), tmp_path / "b.csv").read_bytes()
    other = write_roster_csv(build_company(seed=12), tmp_path / "c.csv").read_bytes()
    assert first == second
    assert first != other
    assert first.startswith(b"\xef\xbb\xbf" + ",".join(ROSTER_HEADER).encode() + b"\r\n")


def test_same_seed_gives_the_same_scenario_and_behaviour() -> None:
    a, b = build_company(seed=3), build_company(seed=3)
    assert a.scenario.as_dict() == b.scenario.as_dict()
    people = list(a.employees)
    assert [a.behaviour.plan(u, "notice", "n1") for u in people] == [b.behaviour.plan(u, "notice", "n1") for u in people]


def test_size_and_structure(company: Company) -> None:
    assert len(company.employees) == 200
    assert len(company.departments) == 11  # the root plus one per function
    names = [d.name for d in company.departments.values()]
    assert len(set(names)) == len(names)
    assert {"销售部", "研发部", "财务部", "人力资源部", "行政部", "信息安全部", "市场部", "客服部", "法务部", "总经办"} <= set(names)
    for dept in company.departments.values():
        if dept.id != 1:
            assert dept.head in company.employees, dept
            assert company.employees[dept.head].department_id == dept.id


def test_userids_are_valid_and_unique_without_case(company: Company) -> None:
    userids = list(company.employees)
    assert all(USERID.fullmatch(u) for u in userids)
    assert len({u.lower() for u in userids}) == len(userids)
    assert all(re.fullmatch(r"[a-z]+\d{2}", u) for u in userids)  # zhangwei01 style at this size


def test_every_leader_exists_and_the_chart_has_one_top(company: Company) -> None:
    tops = [e.userid for e in company.employees.values() if e.direct_leader is None]
    assert tops == [company.cast.ceo]
    for emp in company.employees.values():
        if emp.direct_leader is not None:
            leader = company.employees[emp.direct_leader]
            assert leader.userid != emp.userid
            assert leader.leave_date is None, f"{emp.userid} reports to {leader.userid}, who leaves"
        # No loops: walking up always reaches the CEO.
        seen, node = set(), emp.userid
        while node is not None:
            assert node not in seen
            seen.add(node)
            node = company.employees[node].direct_leader
    assert all(e.role in ROLES for e in company.employees.values())


def test_cast(company: Company) -> None:
    cast = company.cast
    roles = {u: company.employees[u].role for u in company.employees}
    assert roles[cast.ceo] == "leadership" and len(cast.leadership) == 3
    assert [roles[u] for u in cast.hr] == ["hr"] * 3
    assert [roles[u] for u in cast.admins] == ["admin"] * 2
    assert [roles[u] for u in cast.infosec] == ["infosec"] * 3
    assert [roles[u] for u in cast.it] == ["it"] * 2
    s = company.scenario
    assert cast.actors["leaver"] == s.leaver.userid and cast.actors["incident_responder"] == s.incident.responder
    # Actors never double up (the organisers are department heads, the responder is infosec).
    people = [u for part, u in cast.actors.items() if not part.endswith("organiser")]
    assert len(set(people)) == len(people) == 13
    assert all(roles[u] == "employee" for part, u in cast.actors.items() if part != "incident_responder" and u in people)


def test_joiners_spread_over_the_month(company: Company) -> None:
    s = company.scenario
    hires = [j.hire_date for j in s.joiners]
    assert len(hires) == 6 and hires == sorted(hires)
    assert all(h.strftime("%Y-%m") == "2026-03" and is_working_day(h) for h in hires)
    assert hires[-1] - hires[0] >= timedelta(days=20)
    eve = company.employees[s.joiner_before_weekend].hire_date
    assert eve == date(2026, 3, 6) and not is_working_day(eve + timedelta(days=1))
    assert s.training_never in {j.userid for j in s.joiners}
    assert company.behaviour.persona(s.training_never, "onboarding", "2026-03-03") == "never"
    # Everyone else was hired long before the month: nobody else is onboarding.
    others = [e for e in company.employees.values() if e.userid not in {j.userid for j in s.joiners}]
    assert max(e.hire_date for e in others) < date(2026, 2, 1)


def test_account_review_facts(company: Company) -> None:
    s = company.scenario
    leaver = company.employees[s.leaver.userid]
    assert leaver.leave_date == s.leaver.leave_date and leaver.leave_date.strftime("%Y-%m") == "2026-03"
    assert leaver.wecom_status == 1
    assert not any(e.direct_leader == leaver.userid for e in company.employees.values())

    mover = company.employees[s.mover.userid]
    assert mover.department_id == s.mover.roster_department_id
    assert mover.in_wecom_department == s.mover.wecom_department_id != mover.department_id

    assert company.employees[s.no_account].wecom_status is None
    assert company.employees[s.not_activated].wecom_status == 4
    assert [d.id for d in company.departments.values() if d.account_owner is None] == [s.dept_without_owner]
    assert [company.employees[u].wecom_status for u in s.former_employees] == [2, 5]
    assert all(company.employees[u].leave_date < date(2026, 3, 1) for u in s.former_employees)
    statuses = Counter(e.wecom_status for e in company.employees.values())
    assert statuses == {1: 196, None: 1, 4: 1, 2: 1, 5: 1}


def test_meetings(company: Company) -> None:
    s = company.scenario
    assert 3 <= len(s.meetings) <= 5
    assert [m.key for m in s.meetings if m.source == "manual"] == [s.manual_meeting]
    assert [m.key for m in s.meetings if m.minutes_late] == [s.late_minutes_meeting]
    for m in s.meetings:
        assert m.organiser in company.employees and all(a in company.employees for a in m.attendees)
        assert m.organiser not in m.attendees
        local_start, local_end = m.start.astimezone(SHANGHAI), m.end.astimezone(SHANGHAI)
        assert is_working_day(local_start.date()) and time(9) <= local_start.time() and local_end.time() <= time(18)
        assert m.end > m.start
        for person in (m.organiser, *m.attendees):
            assert company.employees[person].employed_on(local_start.date())


def test_incident(company: Company) -> None:
    incident = company.scenario.incident
    form = incident.form()
    assert set(form) == {"what", "when", "where", "scope", "impact", "measures", "people"}
    assert all(re.search(r"[\u4e00-\u9fff]", form[k]) for k in ("what", "where", "scope", "impact", "measures"))
    assert incident.responder in company.cast.infosec and incident.acknowledged_in_time
    assert company.behaviour.click_delay(incident.responder, "incident", "i1", "notify-infosec") == timedelta(minutes=8)
    # Nobody else answers an incident card.
    assert company.behaviour.click_delay(company.cast.infosec[0], "incident", "i1", "notify-infosec") is None
    silent = build_company(incident_variant="silent").scenario.incident
    assert not silent.acknowledged_in_time and silent.acknowledged_after > timedelta(minutes=30)


def test_assessment_history_and_violations(company: Company) -> None:
    s = company.scenario
    history = {r.userid: r for r in previous_assessments(company)}
    failed = sorted(u for u, r in history.items() if not r.passed)
    assert failed == sorted(s.failed_last_month)
    assert set(s.repeat_failers) | set(s.recovered) == set(s.failed_last_month)
    assert all(r.period == "2026-02" for r in history.values())
    assert not set(j.userid for j in s.joiners) & set(history)
    violators = Counter(v.userid for v in s.violations)
    assert all(violators[u] == 2 for u in s.repeat_failers)
    assert all(v.recorded_by in company.cast.admins for v in s.violations)
    for userid in s.repeat_failers:
        assert company.behaviour.persona(userid, "notice", "n1") == "never"
        assert any(userid in m.attendees for m in s.meetings)


def test_behaviour_mix_and_delays(company: Company) -> None:
    behaviour = Behaviour(seed=5)
    people = [f"u{i:06d}" for i in range(4000)]
    split = behaviour.share(people, "notice", "n9")
    shares = {k: len(v) / len(people) for k, v in split.items()}
    assert abs(shares["prompt"] - 0.80) < 0.03 and abs(shares["after_reminder"] - 0.15) < 0.03
    for userid in split["prompt"][:50]:
        delay = behaviour.click_delay(userid, "notice", "n9", "assign")
        assert delay is not None and delay <= timedelta(hours=2)
        assert behaviour.click_delay(userid, "notice", "n9", "escalate-leader") == delay
    for userid in split["after_reminder"][:50]:
        assert behaviour.click_delay(userid, "notice", "n9", "assign") is None
        assert behaviour.click_delay(userid, "notice", "n9", "remind-1") is not None
    for userid in split["never"][:50]:
        assert behaviour.click_delay(userid, "notice", "n9", "remind-1") is None
    pinned = Behaviour(seed=5, overrides={("a", "*"): Plan("prompt", timedelta(minutes=1))})
    assert pinned.click_delay("a", "anything", "p", "assign") == timedelta(minutes=1)


def test_working_time_skips_nights_weekends_and_holidays() -> None:
    friday_evening = datetime(2026, 3, 6, 17, 30, tzinfo=SHANGHAI)
    assert add_working_time(friday_evening, timedelta(hours=1)) == datetime(2026, 3, 9, 9, 30, tzinfo=SHANGHAI)
    before_lunch = datetime(2026, 3, 9, 11, 30, tzinfo=SHANGHAI)
    assert add_working_time(before_lunch, timedelta(hours=1)) == datetime(2026, 3, 9, 13, 30, tzinfo=SHANGHAI)
    # Spring Festival 2026: 15-23 February off, 14 February (Saturday) a make-up working day.
    assert add_working_time(datetime(2026, 2, 14, 17, 0, tzinfo=SHANGHAI), timedelta(hours=2)) == datetime(
        2026, 2, 24, 10, 0, tzinfo=SHANGHAI
    )


def test_roster_csv_round_trips_in_utf8_and_gbk(company: Company, tmp_path: Path) -> None:
    for encoding in ("utf-8-sig", "gbk"):
        path = write_roster_csv(company, tmp_path / f"roster-{encoding}.csv", encoding=encoding)
        rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding), newline="")))
        assert len(rows) == 200
        by_id = {r["userid"]: r for r in rows}
        leaver = by_id[company.scenario.leaver.userid]
        assert leaver["leave_date"] == "2026-03-13"
        assert by_id[company.scenario.mover.userid]["department"] == "市场部"
        assert all(r["department"] in {d.name for d in company.departments.values()} for r in rows)
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["hire_date"]) for r in rows)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 60"):
        build_company(10)
    with pytest.raises(ValueError, match="too few"):
        build_company(200, 150)
    with pytest.raises(ValueError, match="YYYY-MM"):
        build_company(month="March")


def test_another_month_and_size(tmp_path: Path) -> None:
    company = build_company(2000, seed=1, month="2026-04")
    assert len(company.departments) == 101
    assert all(j.hire_date.strftime("%Y-%m") == "2026-04" for j in company.scenario.joiners)
    # Qingming (4-6 April 2026) is not a working day, so no joiner starts then.
    assert not {j.hire_date for j in company.scenario.joiners} & {date(2026, 4, 6)}
    assert len({d.name for d in company.departments.values()}) == 101
