"""A small, fixed directory used by the pytest fixture (documented in the README)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wecom_simulator.simulator import WeComSimulator

RD, HR, RD_ONE = 2, 3, 4
VISIBLE_ACTIVE = ("zhangsan", "lisi", "wangwu", "zhaoliu")


def populate_sample(sim: WeComSimulator) -> None:
    """Departments 1 (root), 2 研发部, 3 人力资源部, 4 研发一组 (under 2), members:
    zhangsan (leads 2), lisi and zhaoliu (4, report to zhangsan), wangwu (3, HR),
    outsider (not visible to the app), disabled (status 2), inactive (status 4), and
    tag 1 "经理" = {zhangsan}."""
    sim.add_department(RD, "研发部")
    sim.add_department(HR, "人力资源部")
    sim.add_department(RD_ONE, "研发一组", parent_id=RD)
    sim.add_user("zhangsan", "张三", [RD], is_leader_in_dept=[1], position="研发经理")
    sim.add_user("lisi", "李四", [RD_ONE], direct_leader=["zhangsan"], position="工程师")
    sim.add_user("wangwu", "王五", [HR], position="HRBP")
    sim.add_user("zhaoliu", "赵六", [RD_ONE], direct_leader=["zhangsan"], position="工程师")
    sim.add_user("outsider", "外部成员", [RD], visible=False)
    sim.add_user("disabled", "已禁用", [HR], status=2)
    sim.add_user("inactive", "未激活", [RD_ONE], status=4)
    sim.add_tag(1, "经理", userids=["zhangsan"])
