"""meeting_minutes_followup with dag.test(), against the simulator and a real records DB."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from tests.fixtures.duty_runs import at

DAG = "meeting_minutes_followup"


def seed(world) -> None:
    world.add_department(10, "研发部", head="head1")
    world.add_person("head1", "王芳", 10, role="department_head")
    world.add_person("org1", "李强", 10, role="manager", leader="head1")
    world.add_person("a1", "张伟", 10, leader="org1")
    world.add_person("a2", "刘洋", 10, leader="org1")
    world.add_person("hr1", "赵敏", 10, role="hr")


def api_meeting(world, start: datetime, end: datetime, *, title: str = "研发部周例会", status: int = 3) -> str:
    return world.sim.add_meeting(
        admin_userid="org1", title=title, start=int(start.timestamp()),
        duration=int((end - start).total_seconds()), invitees=["a1", "a2"], status=status,
    )


def titles(world, userid: str) -> list[str]:
    return [c["template_card"]["main_title"]["title"] for c in world.cards(userid)]


def meeting_row(world):
    from wecomply.records.models import Meeting, MeetingAttendee

    with world.records.sessions() as session:
        meeting = session.scalars(sa.select(Meeting)).one()
        confirmed = {
            a.userid: a.confirmed_at for a in session.scalars(sa.select(MeetingAttendee).order_by(MeetingAttendee.userid))
        }
        session.expunge_all()
    return meeting, confirmed


def escalations(world) -> list[tuple[str, str, str, int]]:
    from wecomply.records.models import Escalation

    with world.records.sessions() as session:
        return [(e.duty, e.subject, e.about, e.level) for e in session.scalars(sa.select(Escalation).order_by(Escalation.id))]


def test_organiser_button_distributes_and_attendees_confirm(duty_world) -> None:
    seed(duty_world)
    api_meeting(duty_world, at("2026-03-03 10:00"), at("2026-03-03 11:00"))  # a Tuesday
    duty_world.run(DAG, at("2026-03-03 14:00"))
    assert titles(duty_world, "org1") == ["请发送会议纪要"]
    assert duty_world.received("a1") == [] and duty_world.received("head1") == []

    assert duty_world.click_latest_card("org1") == 200
    duty_world.run(DAG, at("2026-03-03 15:00"))
    meeting, confirmed = meeting_row(duty_world)
    assert meeting.minutes_sent_at == at("2026-03-03 14:05") and meeting.source == "api"
    assert set(confirmed) == {"a1", "a2"} and not any(confirmed.values())
    for who in ("a1", "a2"):
        assert titles(duty_world, who) == ["会议纪要：研发部周例会"]
    # Identical cards to both attendees: one request.
    assert duty_world.cards("a1")[0]["template_card"]["task_id"] == duty_world.cards("a2")[0]["template_card"]["task_id"]
    assert "确认收到" in duty_world.cards("a1")[0]["template_card"]["button_list"][0]["text"]

    assert duty_world.click_latest_card("a1") == 200
    for moment in ("2026-03-03 16:00", "2026-03-04 15:00", "2026-03-05 15:00", "2026-03-06 15:00"):
        duty_world.run(DAG, at(moment))
    _, confirmed = meeting_row(duty_world)
    assert confirmed["a1"] == at("2026-03-03 15:05") and confirmed["a2"] is None
    assert titles(duty_world, "a1") == ["会议纪要：研发部周例会"], "no reminder after confirming"
    assert titles(duty_world, "a2") == ["会议纪要：研发部周例会", "请确认收到会议纪要"]
    # Two working days after the receipt deadline: the attendee's direct leader (the organiser).
    assert [t for t in duty_world.texts("org1") if "纪要未确认" in t and "刘洋" in t]
    assert ("meeting_receipt", "a2", "m1:escalate-leader", 1) in escalations(duty_world)
    assert titles(duty_world, "org1") == ["请发送会议纪要"], "minutes on time: no reminder to the organiser"

    from wecomply.records.models import Assignment

    with duty_world.records.sessions() as session:
        rows = {(a.kind, a.subject_userid): a for a in session.scalars(sa.select(Assignment))}
    minutes = rows[("meeting_minutes", "org1")]
    assert minutes.status == "completed" and minutes.completed_at <= minutes.due_at and minutes.period == "m1"
    assert rows[("meeting_receipt", "a1")].status == "completed"
    assert rows[("meeting_receipt", "a2")].status == "open"


def test_missing_minutes_remind_then_escalate(duty_world) -> None:
    seed(duty_world)
    api_meeting(duty_world, at("2026-03-03 10:00"), at("2026-03-03 11:00"))
    for moment in ("2026-03-03 14:00", "2026-03-04 10:00", "2026-03-04 11:00", "2026-03-05 11:00", "2026-03-05 12:00"):
        duty_world.run(DAG, at(moment))
    # Due 24 h (working days) after the end: Wed 11:00. The reminder is a card with the button.
    assert titles(duty_world, "org1") == ["请发送会议纪要", "会议纪要已逾期"]
    # One working day later (Thu 11:00): the organiser and the direct leader.
    for who in ("org1", "head1"):
        texts = duty_world.texts(who)
        assert len(texts) == 1 and "会议纪要逾期" in texts[0] and "李强" in texts[0] and "研发部周例会" in texts[0], (who, texts)
    assert escalations(duty_world) == [("meeting_minutes", "m1", "2026-03-03:escalate-leader", 1)]
    assert duty_world.received("a1") == []

    # Late minutes through the form: the attendees get them with the text, no more nagging.
    duty_world.run(DAG, at("2026-03-05 14:00"), conf={"meeting": "m1", "minutes": "决议：下周上线灰度版本。"})
    card = duty_world.cards("a1")[-1]["template_card"]
    assert "决议：下周上线灰度版本" in card["main_title"]["desc"]
    meeting, _ = meeting_row(duty_world)
    assert meeting.minutes_sent_at == at("2026-03-05 14:00") and "决议" in meeting.minutes_ref
    from wecomply.records.models import Assignment

    with duty_world.records.sessions() as session:
        minutes = session.scalars(sa.select(Assignment).where(Assignment.kind == "meeting_minutes")).one()
    assert minutes.status == "completed" and minutes.completed_at > minutes.due_at, "late minutes stay on record as late"
    duty_world.run(DAG, at("2026-03-10 10:00"))
    assert len(duty_world.texts("head1")) == 1, "no escalation after the minutes went out"


def test_unknown_meeting_in_the_form_fails_the_run(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-03-03 14:00"), conf={"meeting": "m99", "minutes": "x"}, expect="failed")


def test_rerun_and_lost_response_send_once(duty_world) -> None:
    seed(duty_world)
    api_meeting(duty_world, at("2026-03-03 10:00"), at("2026-03-03 11:00"))
    duty_world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    duty_world.run(DAG, at("2026-03-03 14:00"))
    duty_world.run(DAG, at("2026-03-03 14:00"))  # a clear of the same run
    assert len(duty_world.cards("org1")) == 1
    duty_world.click_latest_card("org1")
    duty_world.sim.faults.add("/cgi-bin/message/send", "http500", times=1)
    duty_world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    duty_world.run(DAG, at("2026-03-03 15:00"))
    duty_world.run(DAG, at("2026-03-03 15:00"))
    duty_world.run(DAG, at("2026-03-03 16:00"))
    assert len(duty_world.cards("a1")) == 1 and len(duty_world.cards("a2")) == 1
    from wecomply.records.models import Meeting

    with duty_world.records.sessions() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1


def test_hand_registered_meeting_is_followed_too(duty_world) -> None:
    from wecomply.flows.meetings import register_manual_meeting

    seed(duty_world)
    with duty_world.records.sessions.begin() as session:
        key, created = register_manual_meeting(
            session, title="新员工入职须知说明会", organiser="org1", start_at=at("2026-03-03 15:00"),
            end_at=at("2026-03-03 16:00"), attendees=["a1", "org1"],
        )
    with duty_world.records.sessions.begin() as session:
        again = register_manual_meeting(
            session, title="新员工入职须知说明会", organiser="org1", start_at=at("2026-03-03 15:00"),
            end_at=at("2026-03-03 16:00"), attendees=["a1"],
        )
    assert (key, created) == ("m1", True) and again == ("m1", False)
    duty_world.run(DAG, at("2026-03-03 17:00"))
    assert titles(duty_world, "org1") == ["请发送会议纪要"]
    duty_world.click_latest_card("org1")
    duty_world.run(DAG, at("2026-03-03 18:00"))
    assert duty_world.received("a1") == [], "18:00 is after working hours"
    duty_world.run(DAG, at("2026-03-04 09:00"))
    assert titles(duty_world, "a1") == ["会议纪要：新员工入职须知说明会"]
    assert duty_world.received("a2") == []


def test_quiet_hours_wait_for_the_next_morning(duty_world) -> None:
    seed(duty_world)
    api_meeting(duty_world, at("2026-03-03 18:00"), at("2026-03-03 19:00"))
    duty_world.run(DAG, at("2026-03-03 20:00"))
    assert duty_world.received("org1") == []
    duty_world.run(DAG, at("2026-03-04 09:00"))
    assert titles(duty_world, "org1") == ["请发送会议纪要"]


def test_public_holiday_sends_nothing_and_pauses_the_clock(duty_world) -> None:
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy

    calendar = WorkCalendar(load_policy())
    assert not calendar.is_working_day(date(2026, 10, 1))
    seed(duty_world)
    api_meeting(duty_world, at("2026-09-30 16:00"), at("2026-09-30 17:00"))
    duty_world.run(DAG, at("2026-09-30 17:30"))
    assert titles(duty_world, "org1") == ["请发送会议纪要"]
    duty_world.run(DAG, at("2026-10-01 17:30"))
    duty_world.run(DAG, at("2026-10-02 10:00"))
    assert len(duty_world.received("org1")) == 1, "nothing during the National Day holiday"
    first = calendar.first_working_day_on_or_after(date(2026, 10, 1))
    # The 24 h clock stops on days off: 7 h ran on 30 Sep, the other 17 h end at 17:00 on `first`.
    duty_world.run(DAG, at(f"{first.isoformat()} 16:00"))
    assert len(duty_world.received("org1")) == 1
    duty_world.run(DAG, at(f"{first.isoformat()} 17:30"))
    assert titles(duty_world, "org1") == ["请发送会议纪要", "会议纪要已逾期"]
