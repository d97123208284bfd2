"""WeComOperator and send_wecom_notification in a real DAG, against the simulator."""

from __future__ import annotations

from tests.fixtures.duty_runs import at

DAG = "wecom_broadcast"


def _seed(world) -> None:
    world.add_department(10, "行政部")
    for userid, name in (("a1", "甲"), ("b2", "乙"), ("c3", "丙")):
        world.add_person(userid, name, 10)


def test_broadcast_reaches_each_member_once_and_tells_the_admin_group(duty_world) -> None:
    _seed(duty_world)
    conf = {"users": ["a1", "b2", "c3"], "message_type": "text", "content": "今晚 20:00 系统维护，请提前保存工作。"}
    duty_world.run(DAG, at("2026-03-02 10:00"), conf=conf)
    for userid in ("a1", "b2", "c3"):
        assert [m["text"]["content"] for m in duty_world.received(userid)] == [conf["content"]]
    assert duty_world.sim.calls("/cgi-bin/message/send") == 1, "three identical messages are one call"
    robot = duty_world.sim.robot_messages(duty_world.robot_key)
    assert len(robot) == 1 and "群发完成" in robot[0]["markdown"]["content"]


def test_retry_after_lost_response_sends_once(duty_world) -> None:
    _seed(duty_world)
    duty_world.sim.faults.add("/cgi-bin/message/send", "reset", times=1, after_processing=True)
    conf = {"users": ["a1"], "message_type": "markdown", "content": "**请确认** 新版考勤制度"}
    duty_world.run(DAG, at("2026-03-02 10:00"), conf=conf)
    assert len(duty_world.received("a1")) == 1


def test_failed_run_alerts_the_admin_group(duty_world) -> None:
    _seed(duty_world)
    conf = {"users": ["nobody-here"], "message_type": "text", "content": "hello"}
    duty_world.run(DAG, at("2026-03-02 10:00"), conf=conf, expect="failed")
    robot = duty_world.sim.robot_messages(duty_world.robot_key)
    assert len(robot) == 1, robot
    alert = robot[0]["markdown"]["content"]
    assert "WeComply 任务失败" in alert and "wecom_broadcast" in alert and "send" in alert
