"""report_monthly with dag.test(), against the simulator and a real records DB.

The month's records are `tests/reports/month_records.py` (whose every number
tests/reports/test_aggregate.py checks); here the concern is the run: the month it picks,
the archive, who receives what in WeCom, and that nothing is ever sent twice.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from tests.fixtures.duty_runs import at
from tests.reports.month_records import COMPANY_NAME, SALES, TECH, seed_month

DAG = "report_monthly"
UPLOAD = "/cgi-bin/media/upload"
RECIPIENTS = {"s_head": "销售部", "t_head": "技术部", "boss": COMPANY_NAME, "hr1": COMPANY_NAME}


@pytest.fixture
def world(duty_world, tmp_path, monkeypatch):
    with duty_world.records.sessions.begin() as session:
        seed_month(session)
    for dept_id, name in ((SALES, "销售部"), (TECH, "技术部")):
        duty_world.sim.add_department(dept_id, name)
    for userid, dept in (("s_head", SALES), ("t_head", TECH), ("boss", 1), ("hr1", 1)):
        duty_world.sim.add_user(userid, userid, [dept])
    monkeypatch.setenv("WECOMPLY_REPORTS_URL", (tmp_path / "archive").as_uri() + "/")
    duty_world.archive_dir = tmp_path / "archive"
    return duty_world


def messages_of(world, userid: str) -> list[tuple[str, dict]]:
    return [(m["msgtype"], m) for m in world.received(userid)]


def uploads(world) -> int:
    return world.sim.state.calls[UPLOAD]


def assert_each_got_summary_then_file(world) -> dict[str, bytes]:
    files = {}
    for userid, scope_name in RECIPIENTS.items():
        got = messages_of(world, userid)
        assert [kind for kind, _ in got] == ["markdown", "file"], (userid, got)
        summary = got[0][1]["markdown"]["content"]
        assert scope_name in summary and "2026年3月" in summary and len(summary.encode()) <= 2048
        media = world.sim.uploaded_media(got[1][1]["file"]["media_id"])
        assert media.filename.endswith(".html") and scope_name in media.filename
        html = media.data.decode("utf-8")
        assert html.startswith("<!DOCTYPE html>") and scope_name in html
        files[userid] = media.data
    return files


def test_heads_leadership_and_hr_receive_summary_and_file_and_the_archive_matches(world) -> None:
    world.run(DAG, at("2026-04-01 10:00"))  # no asset event, no conf: the previous month

    files = assert_each_got_summary_then_file(world)
    month_dir: Path = world.archive_dir / "2026-03"
    assert files["s_head"] == (month_dir / "zh" / f"dept-{SALES}.html").read_bytes()
    assert files["t_head"] == (month_dir / "zh" / f"dept-{TECH}.html").read_bytes()
    assert files["boss"] == files["hr1"] == (month_dir / "zh" / "company.html").read_bytes()
    assert "刘洋" in files["s_head"].decode() and "吴敏" not in files["s_head"].decode()  # own department only

    manifest = json.loads((month_dir / "manifest.json").read_text(encoding="utf-8"))
    assert [s["id"] for s in manifest["scopes"]] == ["company", "dept-1", f"dept-{SALES}", f"dept-{TECH}"]
    assert {f["path"] for f in manifest["files"]} == {
        f"zh/{scope}.{ext}" for scope in ("company", "dept-1", f"dept-{SALES}", f"dept-{TECH}") for ext in ("html", "md")
    }
    data = json.loads((month_dir / "data" / "zh" / f"dept-{SALES}.json").read_text(encoding="utf-8"))
    assert data["report"]["assessment"]["assessed"] == 5
    # The root department has no head: archived, not sent to anyone.
    assert (month_dir / "zh" / "dept-1.html").is_file()
    assert uploads(world) == 3

    from wecomply.records.models import Delivery

    with world.records.sessions() as session:
        rows = session.execute(sa.select(Delivery.subject, Delivery.period, Delivery.step, Delivery.status)).all()
    assert sorted(rows) == sorted(
        (scope, "2026-03", step, "sent") for scope in ("company", f"dept-{SALES}", f"dept-{TECH}") for step in ("file", "summary")
    )


def test_a_rerun_sends_and_uploads_nothing_new(world) -> None:
    world.run(DAG, at("2026-04-01 10:00"))
    before = {u: len(world.received(u)) for u in RECIPIENTS}
    cleared = world.run(DAG, at("2026-04-01 10:00"))
    later = world.run(DAG, at("2026-04-02 10:00"), conf={"period": "2026-03"})
    # The cleared run finds the month's data as it would write it; the later one dates its reports anew.
    written = [run.get_task_instance("aggregate").xcom_pull(task_ids="aggregate")["data_written"] for run in (cleared, later)]
    assert written == [0, 4]
    assert {u: len(world.received(u)) for u in RECIPIENTS} == before
    assert uploads(world) == 3


def test_connection_reset_after_wecom_took_the_send_is_not_a_duplicate(world) -> None:
    world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    world.run(DAG, at("2026-04-01 10:00"))
    assert_each_got_summary_then_file(world)
    assert uploads(world) == 3


def test_expired_media_of_an_unsent_file_is_uploaded_again_under_the_next_step(world) -> None:
    """A file message frozen with a media_id a week old (its send never happened) would
    reach WeCom with a dead media_id: the run closes it and sends a fresh upload instead."""
    from wecomply.delivery import DeliveryRequest
    from wecomply.records import outbox
    from wecomply.records.models import Delivery
    from wecomply.wecom import messages
    from wecomply.wecom.client import WeComClient

    sim = world.sim
    stale_at = at("2026-04-01 10:00")
    with time_machine.travel(stale_at, tick=True):
        client = WeComClient(sim.base_url, sim.corp_id, sim.secret, sim.agent_id)
        old_media = client.upload_media("old.html", b"<!DOCTYPE html>old report", "file")
        with world.records.sessions.begin() as session:
            outbox.plan(
                [DeliveryRequest(duty="monthly_report", subject=f"dept-{SALES}", period="2026-03", step="file",
                                 recipients=("s_head",), payload=messages.file(old_media))],
                session=session, now=stale_at, duplicate_check_interval=14400,
            )

    world.run(DAG, at("2026-04-08 10:00"), conf={"period": "2026-03"})  # a week later

    files = [m for kind, m in messages_of(world, "s_head") if kind == "file"]
    assert len(files) == 1 and files[0]["file"]["media_id"] != old_media
    assert world.sim.uploaded_media(files[0]["file"]["media_id"]).data.startswith(b"<!DOCTYPE html>")
    with world.records.sessions() as session:
        steps = dict(session.execute(
            sa.select(Delivery.step, Delivery.status).where(Delivery.subject == f"dept-{SALES}", Delivery.step.like("file%"))
        ).all())
    assert steps == {"file": "failed", "file-2": "sent"}


def test_the_dags_html_opens_in_headless_chromium(world, chromium, artifacts_dir) -> None:
    from tests.fixtures.browser import decode_png

    world.run(DAG, at("2026-04-01 10:00"))
    page = world.archive_dir / "2026-03" / "zh" / f"dept-{SALES}.html"
    dom = chromium.dump_dom(page)
    for heading in ("本月概览", "入职培训", "月度考核", "安全事件", "销售部"):
        assert heading in dom, heading
    shot = chromium.screenshot(page, artifacts_dir / "report-monthly-dag-sales-zh.png", width=390, height=1600)
    image = decode_png(shot)
    colours = {image.pixel(x, y) for y in range(0, image.height, 7) for x in range(0, image.width, 7)}
    assert len(colours) > 100, "the screenshot looks blank"


def test_month_comes_from_conf_then_asset_event_then_previous_month() -> None:
    from wecomply.errors import UserFacingError
    from wecomply.flows.reports import report_month
    from wecomply.reports.model import Month

    run_time = datetime(2026, 4, 1, 1, 0, tzinfo=at("2026-04-01 09:00").tzinfo)
    assert report_month(requested=None, event_periods=[], run_time=run_time) == Month(2026, 3)
    assert report_month(requested=None, event_periods=[None, "2026-02", "2026-01"], run_time=run_time) == Month(2026, 2)
    assert report_month(requested="2025-12", event_periods=["2026-02"], run_time=run_time) == Month(2025, 12)
    # Shanghai's date decides: 2026-03-31 17:00 UTC is already 1 April there.
    utc_evening = datetime(2026, 3, 31, 17, 0, tzinfo=timezone.utc)
    assert report_month(requested=None, event_periods=[], run_time=utc_evening) == Month(2026, 3)
    with pytest.raises(UserFacingError, match="dag_run.conf.period"):
        report_month(requested="March", event_periods=[], run_time=run_time)


def test_reports_url_prefers_the_variable_then_the_environment(monkeypatch, tmp_path) -> None:
    from wecomply.flows.reports import reports_url

    monkeypatch.delenv("WECOMPLY_REPORTS_URL", raising=False)
    monkeypatch.setenv("WECOMPLY_DATA_DIR", str(tmp_path))
    assert reports_url(None) == (tmp_path / "reports").as_uri() + "/"
    monkeypatch.setenv("WECOMPLY_REPORTS_URL", "file:///srv/reports/")
    assert reports_url(None) == "file:///srv/reports/"
    assert reports_url("s3://bucket/reports/") == "s3://bucket/reports/"



def test_outside_working_hours_the_delivery_waits_for_the_working_window(world) -> None:
    """Data arriving at 08:59:55: reports are built at once, delivery waits (deferred) for
    09:00. Before a holiday week the same wait reaches the next working day."""
    from wecomply.policy.calendar import WorkCalendar
    from wecomply.policy.config import load_policy
    from wecomply.records.models import Delivery

    calendar = WorkCalendar(load_policy())
    assert calendar.next_working_window(at("2026-09-30 20:00")) == at("2026-10-08 09:00")

    run = world.run(DAG, at("2026-04-01 08:59") + timedelta(seconds=55))
    meta = run.get_task_instance("aggregate").xcom_pull(task_ids="aggregate")
    assert datetime.fromisoformat(meta["send_after"]) == at("2026-04-01 09:00")
    with world.records.sessions() as session:
        sent = list(session.scalars(sa.select(Delivery.sent_at)))
    assert len(sent) == 6 and all(moment >= at("2026-04-01 09:00") for moment in sent), sent
    assert_each_got_summary_then_file(world)


def test_a_cleared_run_reports_what_the_full_path_would_and_anything_unsettled_takes_it(world, monkeypatch) -> None:
    from wecomply.flows import reports as reports_flow
    from wecomply.records.models import Delivery

    def delivered(run) -> dict:
        return run.get_task_instance("deliver").xcom_pull(task_ids="deliver")

    world.run(DAG, at("2026-04-01 10:00"))
    shortcut = delivered(world.run(DAG, at("2026-04-01 10:00")))
    with monkeypatch.context() as patched:
        patched.setattr(reports_flow, "_all_sent", lambda *args: False)
        full = delivered(world.run(DAG, at("2026-04-01 10:00")))
    assert shortcut == full
    assert (full["already_done"], full["media_reused"], full["without_recipient"]) == (6, 3, 1)

    # A summary whose send is in doubt is reported as such, not hidden behind the shortcut.
    with world.records.sessions.begin() as session:
        session.execute(sa.update(Delivery).where(Delivery.subject == f"dept-{SALES}", Delivery.step == "summary")
                        .values(status="in_doubt"))
    assert delivered(world.run(DAG, at("2026-04-01 10:00")))["in_doubt"] == 1
    assert uploads(world) == 3  # once per addressed scope, in the first run


@pytest.mark.filterwarnings("ignore::wecomply.policy.calendar.UncoveredYearWarning")  # the case under test
def test_a_month_counted_without_its_holiday_notice_tells_every_reader(world, package_covering) -> None:
    """The package made to end in 2025 and no 2026 notice entered: every summary and file
    says the working-day deadlines are estimates, and the archived figures name the year."""
    package_covering(2025)
    world.run(DAG, at("2026-04-01 10:00"))

    for userid in RECIPIENTS:
        summary, file = messages_of(world, userid)
        assert "2026 年放假通知未录入，工作日期限为估算" in summary[1]["markdown"]["content"], userid
        html = world.sim.uploaded_media(file[1]["file"]["media_id"]).data.decode("utf-8")
        assert "2026 年的国务院节假日安排通知尚未录入" in html, userid
    data = json.loads((world.archive_dir / "2026-03" / "data" / "zh" / "company.json").read_text(encoding="utf-8"))
    assert data["report"]["estimated_calendar_years"] == [2026]
