"""Account review: roster against the WeCom snapshot, requests, password attestations."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tests.duties.company import COMPANY, at, staff
from wecomply.duties.accounts import (
    STATUS_ACTIVE,
    STATUS_DISABLED,
    STATUS_NOT_ACTIVATED,
    AccountRequest,
    DepartmentAccount,
    FindingKind,
    WeComMember,
    review_accounts,
)
from wecomply.duties.model import ActionKind


def member(person, status=STATUS_ACTIVE, departments=None) -> WeComMember:
    return WeComMember(person.userid, person.name, departments or (person.department_id,), status)


def clean_snapshot(people):
    return [member(p) for p in people]


def review(people, members, now, policy, calendar, **kwargs):
    return review_accounts(people, members, now=now, policy=policy, calendar=calendar, **kwargs)


def test_a_clean_company_has_no_findings(policy, calendar, company):
    # Everyone attested recently, so no password card is due either.
    attested = {p.userid: at(2026, 3, 1, 10) for p in company}
    result = review(company, clean_snapshot(company), at(2026, 3, 10, 10), policy, calendar, attestations=attested)
    assert result.findings == () and result.actions == ()


def test_leaver_still_active_is_escalated_to_admin_and_hr_with_a_deadline(policy, calendar, company):
    eve = staff("eve", leave_date=date(2026, 3, 5), status="left")
    people = [*company, eve]
    attested = {p.userid: at(2026, 3, 1, 10) for p in people}
    result = review(people, [*clean_snapshot(company), member(eve)], at(2026, 3, 9, 10), policy, calendar, attestations=attested)
    [finding] = result.findings
    assert (finding.kind, finding.subject, finding.period) == (FindingKind.LEAVER_ACTIVE, "eve", "2026-03-05")
    assert finding.detected_at == at(2026, 3, 6, 9)  # the first working morning after the last day
    assert finding.due_at == at(2026, 3, 10, 9)  # + 2 working days
    assert [(a.step, a.recipients, a.template) for a in result.actions] == [
        ("notify-admin", ("admin1", "hr1"), "account_review/leaver_active")
    ]
    later = review(people, [*clean_snapshot(company), member(eve)], at(2026, 3, 10, 10), policy, calendar, attestations=attested)
    assert [a.step for a in later.actions] == ["notify-admin", "escalate-admin"]
    # A disabled account is no finding.
    gone = review(people, [*clean_snapshot(company), member(eve, STATUS_DISABLED)], at(2026, 3, 10, 10), policy, calendar, attestations=attested)
    assert gone.findings == ()


def test_auto_disable_only_when_the_policy_allows_it(policy, calendar, company):
    eve = staff("eve", leave_date=date(2026, 3, 5), status="left")
    members = [*clean_snapshot(company), member(eve)]
    allowed = policy.model_copy(
        update={"wecom_actions": policy.wecom_actions.model_copy(update={"auto_disable_leavers": True})}
    )
    off = review([*company, eve], members, at(2026, 3, 9, 10), policy, calendar)
    on = review([*company, eve], members, at(2026, 3, 9, 10), allowed, calendar)
    assert ActionKind.DISABLE not in {a.kind for a in off.actions}
    [disable] = [a for a in on.actions if a.kind is ActionKind.DISABLE]
    assert disable.key == ("account_review", "eve", "leaver_active:2026-03-05", "disable")


def test_movers_missing_and_unactivated_accounts_and_strangers(policy, calendar, company):
    mover = staff("mover", department_id=20, transfer_date=date(2026, 3, 2))
    newbie = staff("newbie", hire_date=date(2026, 3, 2))
    pending = staff("pending", hire_date=date(2026, 3, 2))
    fresh = staff("fresh", hire_date=date(2026, 3, 9))  # still inside the 3-working-day grace
    people = [*company, mover, newbie, pending, fresh]
    members = [
        *clean_snapshot(company),
        member(mover, departments=(10,)),
        member(pending, STATUS_NOT_ACTIVATED),
        member(fresh, STATUS_NOT_ACTIVATED),
        WeComMember("shared01", "销售共用号", (10,), STATUS_ACTIVE),
    ]
    attested = {p.userid: at(2026, 3, 1, 10) for p in people}
    result = review(people, members, at(2026, 3, 10, 10), policy, calendar, attestations=attested)
    assert sorted((f.kind.value, f.subject) for f in result.findings) == [
        ("no_account", "newbie"),
        ("not_activated", "pending"),
        ("unknown_account", "shared01"),
        ("wrong_department", "mover"),
    ]
    mover_finding = next(f for f in result.findings if f.subject == "mover")
    assert mover_finding.detected_at == at(2026, 3, 2, 9)  # anchored on the transfer date


def test_first_seen_anchors_the_deadline(policy, calendar, company):
    people = [*company]
    members = [*clean_snapshot(company), WeComMember("shared01", "共用号", (10,), STATUS_ACTIVE)]
    attested = {p.userid: at(2026, 3, 1, 10) for p in people}
    first_seen = {("unknown_account", "shared01", "roster"): at(2026, 3, 2, 10)}
    result = review(people, members, at(2026, 3, 10, 10), policy, calendar, attestations=attested, first_seen=first_seen)
    assert result.findings[0].due_at == at(2026, 3, 4, 10)
    # 3 working days past the deadline is Mon 03-09 10:00: leadership hears of it too.
    assert [a.step for a in result.actions] == ["notify-admin", "escalate-admin", "escalate-leadership"]


def test_department_account_without_an_active_owner(policy, calendar, company):
    accounts = [
        DepartmentAccount(10, "销售部", "sales_head"),
        DepartmentAccount(20, "人事部", None),
        DepartmentAccount(11, "华东销售", "eve"),  # eve left
    ]
    eve = staff("eve", leave_date=date(2026, 1, 5), status="left")
    attested = {p.userid: at(2026, 3, 1, 10) for p in company}
    result = review([*company, eve], clean_snapshot(company), at(2026, 3, 10, 10), policy, calendar,
                    department_accounts=accounts, attestations=attested)
    assert sorted(f.subject for f in result.findings if f.kind is FindingKind.DEPARTMENT_ACCOUNT_NO_OWNER) == ["dept-11", "dept-20"]


def test_account_request_review_clock_runs_on_working_days(policy, calendar, company):
    # Submitted Tue 2025-09-30 10:00: 3 working days → Sat 2025-10-11 10:00 (调休), after National Day.
    request = AccountRequest("req-7", "lead10", 10, at(2025, 9, 30, 10))
    attested = {p.userid: at(2025, 9, 1, 10) for p in company}
    args = dict(requests=[request], attestations=attested)
    first = review(company, clean_snapshot(company), at(2025, 9, 30, 11), policy, calendar, **args)
    assert [(a.step, a.recipients) for a in first.actions] == [("notify-it", ("it1",))]
    holiday = review(company, clean_snapshot(company), at(2025, 10, 10, 11), policy, calendar, **args)
    assert FindingKind.REQUEST_OVERDUE not in {f.kind for f in holiday.findings}
    assert [a.step for a in holiday.actions] == ["notify-it", "remind-it"]
    late = review(company, clean_snapshot(company), at(2025, 10, 13, 11), policy, calendar, **args)
    assert [f.kind for f in late.findings] == [FindingKind.REQUEST_OVERDUE]
    assert late.actions[-1].step == "escalate-admin" and late.actions[-1].recipients == ("it1", "admin1")
    reviewed = replace(request, reviewed_at=at(2025, 10, 9, 15))
    done = review(company, clean_snapshot(company), at(2025, 10, 13, 11), policy, calendar, requests=[reviewed], attestations=attested)
    assert done.findings == () and done.actions == ()


def test_password_attestation_card_waits_for_the_spring_festival_to_end(policy, calendar):
    bob = staff("bob")
    people = [*COMPANY]
    attested = {p.userid: at(2026, 3, 1, 10) for p in people}
    attested["bob"] = at(2025, 12, 1, 10)  # due 2026-03-01 10:00; card 7 days earlier, Sun 02-22
    members = clean_snapshot(people)
    holiday = review(people, members, at(2026, 2, 23, 10), policy, calendar, attestations=attested)
    assert holiday.actions == () and holiday.new_assignments == ()
    back = review(people, members, at(2026, 2, 24, 9, 30), policy, calendar, attestations=attested)
    assert [a.period for a in back.new_assignments] == ["2026-03-01"]
    assert [(a.key, a.recipients) for a in back.actions] == [
        (("password_attestation", "bob", "2026-03-01", "assign"), ("bob",))
    ]
    # Due on Sunday 03-01: the reminder goes Monday 09:00 and the finding is raised.
    overdue = review(people, members, at(2026, 3, 2, 9, 30), policy, calendar, attestations=attested)
    assert [a.step for a in overdue.actions] == ["assign", "remind-1"]
    assert [f.kind for f in overdue.findings] == [FindingKind.PASSWORD_ATTESTATION_DUE]
    assert bob.userid == overdue.findings[0].subject


def test_leaver_without_a_leave_date_keeps_a_stable_key(policy, calendar, company):
    eve = staff("eve", status="left")
    members = [*clean_snapshot(company), member(eve)]
    keys = {
        review([*company, eve], members, now, policy, calendar).findings[0].key
        for now in (at(2026, 3, 9, 10), at(2026, 3, 12, 10))
    }
    assert keys == {("leaver_active", "eve", "left")}
    # WeCom status 5 (left the company) is as good as disabled.
    result = review([*company, eve], [*clean_snapshot(company), member(eve, 5)], at(2026, 3, 9, 10), policy, calendar)
    assert FindingKind.LEAVER_ACTIVE not in {f.kind for f in result.findings}
