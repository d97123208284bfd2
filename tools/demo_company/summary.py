"""What the demo month did, read back from the records and the simulator."""

from __future__ import annotations

from collections import Counter
from typing import Any

import sqlalchemy as sa


def month_summary(world: Any) -> dict[str, Any]:
    from demo_company.evidence import received_summary
    from wecomply.records import models

    with world.sessions() as session:
        deliveries = Counter(
            dict(session.execute(
                sa.select(models.Delivery.duty, sa.func.count()).where(models.Delivery.status == "sent").group_by(models.Delivery.duty)
            ).all())
        )
        acks = session.scalar(sa.select(sa.func.count()).select_from(models.Acknowledgement)) or 0
        escalations = Counter(dict(session.execute(
            sa.select(models.Escalation.duty, sa.func.count()).group_by(models.Escalation.duty)
        ).all()))
        findings = Counter(dict(session.execute(
            sa.select(models.AccountFinding.kind, sa.func.count()).group_by(models.AccountFinding.kind)
        ).all()))
        by_status = dict(session.execute(
            sa.select(models.Delivery.status, sa.func.count()).group_by(models.Delivery.status)
        ).all())
        failed = session.scalars(
            sa.select(models.Assessment.userid).where(
                models.Assessment.period == world.company.scenario.month, models.Assessment.passed.is_(False)
            )
        ).all()
    stats = world.sim.stats() if hasattr(world.sim, "stats") else {}
    return {
        "dag_runs": dict(world.runs),
        "failed_runs": list(world.failed_runs),
        "wecom_messages_delivered": world.sim.sent_count() if callable(getattr(world.sim, "sent_count", None)) else world.sim.sent_count,
        "wecom_drops": world.sim.drops(),
        "deliveries_by_duty": dict(deliveries),
        "deliveries_by_status": by_status,
        "clicks": world.clicks,
        "acknowledgements": acks,
        "escalations_by_duty": dict(escalations),
        "account_findings": dict(findings),
        "assessment_failed": sorted(failed),
        "task_tries": dict(world.task_tries),
        "killed_worker": world.killed_worker.record if world.killed_worker else None,
        "received": received_summary(world.sim, list(world.company.employees)),
        "faults_by_kind": dict(Counter(kind for _path, kind in world.sim.faults.injected)),
        "simulator": {k: v for k, v in stats.items() if isinstance(v, (int, float, str))},
    }


def print_summary(summary: dict[str, Any], report_paths: list[Any]) -> None:
    print("\n=== WeComply 演示月份结果 / demo month summary ===")
    print(f"DAG 运行 / runs: {sum(summary['dag_runs'].values())} " + ", ".join(f"{k}={v}" for k, v in sorted(summary["dag_runs"].items())))
    if summary["failed_runs"]:
        print(f"失败的运行 / failed runs: {len(summary['failed_runs'])}: {summary['failed_runs'][:5]}")
    print(f"企业微信消息调用 / WeCom message/send calls accepted: {summary['wecom_messages_delivered']} (丢弃 drops: {summary['wecom_drops']})")
    print("发件箱已发送记录（按职责）/ outbox deliveries sent, by duty: " + ", ".join(f"{k}={v}" for k, v in sorted(summary["deliveries_by_duty"].items())))
    print(f"员工点击确认 / acknowledgements: {summary['acknowledgements']} (模拟点击 clicks: {summary['clicks']})")
    print("升级 / escalations: " + (", ".join(f"{k}={v}" for k, v in sorted(summary["escalations_by_duty"].items())) or "0"))
    print("账号检查发现 / account findings: " + (", ".join(f"{k}={v}" for k, v in sorted(summary["account_findings"].items())) or "0"))
    print(f"考核不合格 / failed the assessment: {len(summary['assessment_failed'])} {summary['assessment_failed'][:10]}")
    for path in report_paths:
        print(f"报表 / report: {path}")
