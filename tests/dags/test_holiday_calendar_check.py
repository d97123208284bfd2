"""holiday_calendar_check with dag.test(), against the simulator and a real records DB."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.fixtures.duty_runs import at
from tests.fixtures.policy_files import NO_NOTICES, NOTICE_2027

DAG = "holiday_calendar_check"
EVERYONE = ("head1", "hr1", "admin1", "staff1")


@pytest.fixture(autouse=True)
def package_through_2026(package_covering):
    """chinesecalendar as 1.11.0 is: its data ends with 2026, whatever is installed later."""
    package_covering(2026)


def seed(world) -> None:
    world.add_department(10, "行政部", head="head1")
    world.add_person("head1", "王芳", 10, role="manager")
    world.add_person("hr1", "赵敏", 10, role="hr")
    world.add_person("admin1", "孙丽", 10, role="admin")
    world.add_person("staff1", "张伟", 10)


def counts(world) -> dict[str, int]:
    return {who: len(world.texts(who)) for who in EVERYONE}


def test_hr_and_admin_hear_once_in_november_then_weekly_until_the_notice_is_entered(
    duty_world, shipped_policy_with
) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-10-30 10:00"))  # before the notice season
    assert counts(duty_world) == dict.fromkeys(EVERYONE, 0)

    duty_world.run(DAG, at("2026-11-02 10:00"))
    (text,) = duty_world.texts("hr1")
    assert "2027" in text and "calendar.official_notices.2027" in text and "收录到 2026 年" in text
    assert duty_world.texts("admin1") == [text]
    duty_world.run(DAG, at("2026-11-02 10:00"))  # a cleared run
    duty_world.run(DAG, at("2026-11-09 10:00"))  # November reminds once
    assert counts(duty_world) == {"head1": 0, "hr1": 1, "admin1": 1, "staff1": 0}

    duty_world.run(DAG, at("2026-12-07 10:00"))
    duty_world.run(DAG, at("2026-12-08 10:00"))  # the same week
    duty_world.run(DAG, at("2026-12-14 10:00"))
    assert counts(duty_world) == {"head1": 0, "hr1": 3, "admin1": 3, "staff1": 0}

    # Entered: no more reminders, and one confirmation of what was read, to hold against
    # the published notice; the next run and a cleared one add nothing.
    shipped_policy_with((NO_NOTICES, NOTICE_2027))
    duty_world.run(DAG, at("2026-12-21 10:00"))
    duty_world.run(DAG, at("2026-12-21 10:00"))
    duty_world.run(DAG, at("2026-12-22 10:00"))
    assert counts(duty_world) == {"head1": 0, "hr1": 4, "admin1": 4, "staff1": 0}
    confirmation = duty_world.texts("hr1")[-1]
    assert confirmation.startswith("【节假日日历】已读取策略文件中录入的 2027 年国务院节假日安排")
    assert "放假：元旦 01-01–01-03、春节 02-05–02-12、清明节 04-03–04-05、" in confirmation
    assert "调休上班：元旦调休上班 01-09、春节调休上班 02-20、劳动节调休上班 04-25、" in confirmation
    assert duty_world.texts("admin1")[-1] == confirmation

    from wecomply.records.models import Delivery

    with duty_world.records.sessions() as session:
        recorded = session.execute(
            sa.select(Delivery.subject, Delivery.period, Delivery.status).where(Delivery.duty == "calendar")
            .order_by(Delivery.id)
        ).all()
    assert recorded[:3] == [("2027", "2026-11", "sent"), ("2027", "2026-W50", "sent"), ("2027", "2026-W51", "sent")]
    (confirmed,) = recorded[3:]
    assert confirmed[0] == "2027" and confirmed[1].startswith("2027-") and confirmed[2] == "sent"


def test_a_run_outside_working_hours_holds_the_reminder(duty_world) -> None:
    seed(duty_world)
    duty_world.run(DAG, at("2026-12-07 20:00"))
    assert counts(duty_world) == dict.fromkeys(EVERYONE, 0)
    duty_world.run(DAG, at("2026-12-08 10:00"))
    assert counts(duty_world) == {"head1": 0, "hr1": 1, "admin1": 1, "staff1": 0}


def test_without_hr_or_admin_on_the_roster_nobody_is_messaged_and_the_run_succeeds(duty_world) -> None:
    duty_world.add_department(10, "销售部", head="head1")
    duty_world.add_person("head1", "王芳", 10, role="manager")
    duty_world.add_person("staff1", "张伟", 10)
    run = duty_world.run(DAG, at("2026-12-07 10:00"))
    assert counts(duty_world) == dict.fromkeys(EVERYONE, 0)
    returned = run.get_task_instance("check_official_days").xcom_pull(task_ids="check_official_days")
    assert returned == {"years_awaiting_notice": [2027], "unaddressed": 1}


def test_english_companies_read_it_in_english(duty_world, shipped_policy_with) -> None:
    shipped_policy_with(("locale: zh_CN ", "locale: en    "))
    seed(duty_world)
    duty_world.run(DAG, at("2026-12-07 10:00"))
    (text,) = duty_world.texts("hr1")
    assert text.startswith("[Holiday calendar] WeComply has no State Council holiday notice for 2027 yet")


def test_an_entered_notice_is_confirmed_in_english_too(duty_world, shipped_policy_with) -> None:
    shipped_policy_with(("locale: zh_CN ", "locale: en    "), (NO_NOTICES, NOTICE_2027))
    seed(duty_world)
    duty_world.run(DAG, at("2026-12-07 10:00"))
    (text,) = duty_world.texts("hr1")
    assert text.startswith("[Holiday calendar] WeComply has read the State Council holiday notice for 2027")
    assert "Days off: 元旦 01-01–01-03, 春节 02-05–02-12, " in text and "Make-up working days: 元旦调休上班 01-09, " in text
