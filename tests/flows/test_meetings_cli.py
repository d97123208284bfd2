"""`python -m wecomply meetings register|minutes` and the meeting records, on both databases."""

from __future__ import annotations

import sqlalchemy as sa

from wecomply.cli import main


def run(records_db, *args: str) -> int:
    return main([*args, "--url", records_db.url])


REGISTER = (
    "meetings", "register", "--title", "新员工入职须知说明会", "--organiser", "hr_head",
    "--start", "2026-03-10 15:00", "--end", "2026-03-10 16:00", "--attendees", "j1, j2,hr_head",
)


def test_register_twice_is_one_meeting_and_minutes_are_recorded_once(records_db, capsys) -> None:
    from wecomply.records.models import Meeting, MeetingAttendee

    assert run(records_db, *REGISTER) == 0
    assert "已登记 / registered m1" in capsys.readouterr().out
    assert run(records_db, *REGISTER[:-1], "j1,j2,j3") == 0
    assert "已更新 / updated m1" in capsys.readouterr().out
    with records_db.sessions() as session:
        meeting = session.scalars(sa.select(Meeting)).one()
        attendees = sorted(session.scalars(sa.select(MeetingAttendee.userid)))
    assert (meeting.source, meeting.organiser_userid, meeting.minutes_sent_at) == ("manual", "hr_head", None)
    assert meeting.external_id.startswith("manual-")
    assert attendees == ["j1", "j2", "j3"], "the organiser is not an attendee; attendees are only added"

    assert run(records_db, "meetings", "minutes", "m1", "--text", "要点：考勤制度", "--link", "https://docs.example/1") == 0
    assert run(records_db, "meetings", "minutes", meeting.external_id) == 0
    out = capsys.readouterr().out
    assert "minutes recorded" in out and "already distributed" in out
    with records_db.sessions() as session:
        meeting = session.scalars(sa.select(Meeting)).one()
    assert meeting.minutes_sent_at is not None and meeting.minutes_ref == "要点：考勤制度\nhttps://docs.example/1"


def test_bad_input_names_the_option(records_db, capsys) -> None:
    assert run(records_db, "meetings", "minutes", "m7") == 2
    assert "m7" in capsys.readouterr().err
    assert run(records_db, *REGISTER[:7], "2026-03-10 25:00", *REGISTER[8:]) == 2
    assert "--start" in capsys.readouterr().err
    assert run(records_db, *REGISTER[:9], "2026-03-10 14:00", *REGISTER[10:]) == 2
    assert "end" in capsys.readouterr().err
