"""The chaos run: deliveries under heavy WeCom faults, task retries and a killed worker.

One seeded run (`run_chaos`):

1. A simulator with `people` members (10 of them leaders) and a migrated records DB.
2. The month's deliveries of one duty: a shared "assign" card to everyone, a shared
   "remind1" card to about half, a personal "remind2" card to everyone (one batch each)
   and "escalate" cards to leaders about their overdue members.
3. The simulator faults calls at random (5xx, errcode -1, 45009, timeouts, connection
   resets — on every other task try *after* processing — and token revocations).
4. A worker process runs `deliver` and is SIGKILLed while the simulator holds the
   response to a send it has already processed; its lease is short.
5. "Airflow task retries": `deliver` is called again with the same requests by new
   workers until nothing is pending (the killed worker's batch becomes claimable once
   its lease expires, and is resent byte-identically, so WeCom's duplicate check holds).
6. Employees click their cards through the real callback receiver, with WeCom-style
   retries (freshly signed repeats, and attempts that time out before the 200).

Checks (`ChaosOutcome.problems`): every expected (message, recipient) delivered exactly
once according to `sim.received`, no per-member drop, every click acknowledged once.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from bench.databases import BACKENDS, records_db
from bench.results import Case, Target
from bench.simulation import SEND_PATH

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from wecom_simulator import WeComSimulator
    from wecomply.delivery import DeliveryRequest

NAME = "chaos"
DUTY = "training"
PERIOD = "2026-03"
LEADERS = 10
FAULT_KINDS = (
    "http500", "http502", "http503", "errcode-1", "errcode45009", "timeout", "reset", "revoke_token",
)


@dataclass(frozen=True)
class ChaosConfig:
    seed: int
    people: int = 200
    fault_rate: float = 0.3
    lease_s: float = 2.0
    client_timeout_s: float = 0.25
    fault_hold_s: float = 0.4  # a "timeout" fault holds the answer longer than the client waits
    kill_hold_s: float = 20.0  # the held send the worker is killed on
    retry_delay_s: float = 0.1  # between task tries, like Airflow's retry_delay (scaled down)
    max_task_tries: int = 200
    time_budget_s: float = 300.0


@dataclass
class ChaosOutcome:
    seed: int
    backend: str
    expected: int = 0  # (message, recipient) pairs
    delivered_once: int = 0
    duplicates: int = 0
    missing: int = 0
    stray: int = 0  # messages received that no delivery row accounts for
    drops: int = 0
    send_calls: int = 0
    dedup_answers: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    task_tries: int = 0
    task_failures: int = 0
    killed_mid_send: bool = False
    clicks: int = 0
    acks_recorded: int = 0
    acks_duplicated: int = 0
    inbox_events: int = 0
    callback_posts: int = 0
    batch_statuses: Counter[str] = field(default_factory=Counter)
    unsent_batches: list[str] = field(default_factory=list)  # status and last error
    last_failure: str = ""  # what the last failed task try raised
    elapsed_s: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        out = list(self.errors)
        if self.duplicates or self.missing or self.delivered_once != self.expected:
            out.append(
                f"delivery: {self.delivered_once}/{self.expected} exactly once, "
                f"{self.duplicates} duplicated, {self.missing} missing"
            )
        out.extend(f"unsent: {text[:240]}" for text in self.unsent_batches[:3])
        if self.stray:
            out.append(f"{self.stray} received messages match no delivery")
        if self.drops:
            out.append(f"{self.drops} messages dropped by the per-member limit")
        if not self.killed_mid_send:
            out.append("the worker was not killed in the middle of a send")
        if self.acks_recorded != self.clicks or self.acks_duplicated or self.inbox_events != self.clicks:
            out.append(
                f"acknowledgements: {self.acks_recorded} recorded for {self.clicks} clicks "
                f"({self.acks_duplicated} duplicated, {self.inbox_events} inbox events)"
            )
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "backend": self.backend,
            "expected": self.expected,
            "delivered_once": self.delivered_once,
            "duplicates": self.duplicates,
            "missing": self.missing,
            "stray": self.stray,
            "drops": self.drops,
            "send_calls": self.send_calls,
            "dedup_answers": self.dedup_answers,
            "faults": dict(self.faults),
            "task_tries": self.task_tries,
            "task_failures": self.task_failures,
            "killed_mid_send": self.killed_mid_send,
            "last_failure": self.last_failure,
            "clicks": self.clicks,
            "callback_posts": self.callback_posts,
            "acks_recorded": self.acks_recorded,
            "acks_duplicated": self.acks_duplicated,
            "batch_statuses": dict(self.batch_statuses),
            "unsent_batches": self.unsent_batches,
            "elapsed_s": round(self.elapsed_s, 2),
            "phases_s": {k: round(v, 2) for k, v in self.phases.items()},
            "problems": self.problems,
        }


# --- the company and its deliveries -----------------------------------------------------


def member(index: int) -> str:
    return f"c{index:04d}"


def leader_of(index: int, people: int) -> str:
    return member(index % min(LEADERS, people))


def populate(sim: WeComSimulator, people: int) -> None:
    for d in range(LEADERS):
        sim.add_department(10 + d, f"部门{d + 1}")
    for i in range(people):
        leader = leader_of(i, people)
        sim.add_user(member(i), f"员工{i}", [10 + i % LEADERS], direct_leader=[] if i < LEADERS else [leader])


def build_requests(people: int, seed: int) -> list[DeliveryRequest]:
    """The duty's deliveries for the month; the same for every worker of one seed."""
    from wecomply.delivery import DeliveryRequest
    from wecomply.wecom import messages

    rng = random.Random(f"chaos-requests:{seed}")
    done = messages.Button("我已完成培训", "done")

    def card(title: str, desc: str) -> dict[str, Any]:
        return messages.button_card(task_id="placeholder", title=title, desc=desc, buttons=[done])

    everyone = [member(i) for i in range(people)]
    assign = card("请完成本月合规培训", "截止：3月14日 / Due 14 March")
    remind = card("提醒：合规培训即将截止", "还剩2个工作日 / 2 working days left")
    requests = [DeliveryRequest(DUTY, u, PERIOD, "assign", (u,), assign) for u in everyone]
    late = sorted(rng.sample(everyone, people // 2))
    requests += [DeliveryRequest(DUTY, u, PERIOD, "remind1", (u,), remind) for u in late]
    requests += [
        DeliveryRequest(
            DUTY, u, PERIOD, "remind2", (u,),
            card("最后提醒：合规培训今天截止", f"{u}，请在今天18:00前完成 / {u}, due today 18:00"),
        )
        for u in everyone
    ]
    overdue = sorted(rng.sample(everyone[LEADERS:], min(len(everyone) - LEADERS, 40)))
    for u in overdue:
        leader = leader_of(int(u[1:]), people)
        requests.append(
            DeliveryRequest(
                DUTY, u, PERIOD, "escalate", (leader,),
                card("下属培训逾期 / Overdue training", f"{u} 尚未完成合规培训 / {u} has not finished"),
                urgent=True,
            )
        )
    return requests


# --- workers --------------------------------------------------------------------------


def make_client(conn: dict[str, Any], engine: Any, *, timeout_s: float) -> Any:
    from wecomply.records.shared_stores import SqlPacingStore, SqlTokenStore
    from wecomply.wecom.client import WeComClient
    from wecomply.wecom.transport import RetryPolicy

    # Short waits keep a run short; the attempt count is the production default.
    retry = RetryPolicy(initial_wait_s=0.02, rate_limited_initial_wait_s=0.05, max_wait_s=0.2, jitter_s=0.02)
    return WeComClient(
        conn["base_url"], conn["corp_id"], conn["secret"], conn["agent_id"],
        token_store=SqlTokenStore(engine), pacing_store=SqlPacingStore(engine),
        timeout=timeout_s, retry=retry, max_pacing_wait_s=90.0,
    )


def _now() -> datetime:
    return datetime.now(timezone.utc)


def doomed_worker(db_url: str, conn: dict[str, Any], people: int, seed: int, lease_s: float, log_level: int) -> None:
    """The worker that gets killed: a plain `deliver`, with a client that waits long
    enough for the held response that the kill lands while it is waiting."""
    from wecomply.delivery import deliver
    from wecomply.records.db import make_engine, session_factory

    logging.getLogger("wecomply").setLevel(log_level)
    engine = make_engine(db_url)
    client = make_client(conn, engine, timeout_s=60.0)
    deliver(
        session_factory(engine), client, build_requests(people, seed),
        now=_now, worker_id="doomed", lease=timedelta(seconds=lease_s),
    )
    os._exit(3)  # reaching here means the kill came too late: the parent sees exit code 3


def _kill_mid_send(sim: WeComSimulator, cfg: ChaosConfig, db_url: str, conn: dict[str, Any]) -> bool:
    rng = random.Random(f"chaos-kill:{cfg.seed}")
    after_sends = rng.randint(3, 15)
    ctx = multiprocessing.get_context("spawn")
    log_level = logging.getLogger("wecomply").getEffectiveLevel()
    child = ctx.Process(
        target=doomed_worker, args=(db_url, conn, cfg.people, cfg.seed, cfg.lease_s, log_level), name="doomed-worker"
    )
    child.start()
    try:
        deadline = time.monotonic() + 60
        while sim.calls(SEND_PATH) < after_sends:
            if time.monotonic() > deadline or not child.is_alive():
                return False
            time.sleep(0.005)
        # The next send is processed (delivered), then its answer is held: kill then.
        sim.faults.add(SEND_PATH, "timeout", after_processing=True, hold=cfg.kill_hold_s)
        while sim.faults.pending:
            if time.monotonic() > deadline or not child.is_alive():
                return False
            time.sleep(0.005)
        time.sleep(0.1)
        if not child.is_alive():
            return False
        os.kill(child.pid, signal.SIGKILL)  # type: ignore[arg-type]
        child.join(10)
        return child.exitcode == -signal.SIGKILL
    finally:
        if child.is_alive():
            child.kill()
            child.join(10)


def _task_tries(
    sim: WeComSimulator, cfg: ChaosConfig, sessions: sessionmaker[Session], client: Any,
    requests: list[DeliveryRequest], outcome: ChaosOutcome, started: float,
) -> bool:
    from wecomply.delivery import deliver

    for attempt in range(1, cfg.max_task_tries + 1):
        # A fresh fault stream per try; every other try faults after processing.
        sim.faults.random(
            rate=cfg.fault_rate, seed=cfg.seed * 1000 + attempt, kinds=FAULT_KINDS, after_processing=attempt % 2 == 0
        )
        outcome.task_tries += 1
        try:
            report = deliver(
                sessions, client, requests, now=_now, worker_id=f"try-{attempt}", lease=timedelta(seconds=cfg.lease_s)
            )
        except Exception as exc:  # noqa: BLE001 - a failed task try; Airflow would retry it
            outcome.task_failures += 1
            outcome.last_failure = f"{type(exc).__name__}: {exc}"[:300]
        else:
            if report.complete:
                return True
        if time.monotonic() - started > cfg.time_budget_s:
            outcome.errors.append(f"not complete after {cfg.time_budget_s:g} s")
            return False
        time.sleep(cfg.retry_delay_s)
    outcome.errors.append(f"not complete after {cfg.max_task_tries} task tries")
    return False


# --- checks -------------------------------------------------------------------------------


def _check_deliveries(
    sim: WeComSimulator, sessions: sessionmaker[Session], people: int, outcome: ChaosOutcome
) -> dict[str, list[str]]:
    """Count, per (delivery, recipient), the messages the simulator delivered for it;
    returns the cards each member actually received (what they can click)."""
    import sqlalchemy as sa

    from wecomply.records.models import Delivery, DeliveryBatch

    with sessions() as session:
        batches = {
            row.id: (row.task_id, row.status)
            for row in session.execute(sa.select(DeliveryBatch.id, DeliveryBatch.task_id, DeliveryBatch.status))
        }
        outcome.unsent_batches = [
            f"batch {row.id} {row.status}: {row.last_error}"
            for row in session.execute(
                sa.select(DeliveryBatch.id, DeliveryBatch.status, DeliveryBatch.last_error).where(
                    DeliveryBatch.status != "sent"
                )
            )
        ]
        rows = list(session.execute(sa.select(Delivery.batch_id, Delivery.recipients)))
    outcome.batch_statuses = Counter(str(status) for _, status in batches.values())
    received: Counter[tuple[str, str]] = Counter()
    cards_by_user: dict[str, list[str]] = {}
    for i in range(people):
        user = member(i)
        for message in sim.received(user):
            received[(user, str(message.get("task_id")))] += 1
            cards_by_user.setdefault(user, []).append(str(message.get("task_id")))
    expected: Counter[tuple[str, str]] = Counter()
    for batch_id, recipients in rows:
        task_id = batches[batch_id][0] if batch_id in batches else None
        for user in recipients:
            expected[(user.lower(), str(task_id))] += 1
    outcome.expected = sum(expected.values())
    for pair, owed in expected.items():
        got = received.get(pair, 0)
        # One delivery row per recipient and card: `owed` is 1 unless two rows share a
        # batch and recipient, which the requests here never do.
        if got == owed:
            outcome.delivered_once += owed
        elif got > owed:
            outcome.delivered_once += owed
            outcome.duplicates += got - owed
        else:
            outcome.delivered_once += got
            outcome.missing += owed - got
    outcome.stray = sum(n for pair, n in received.items() if pair not in expected)
    return cards_by_user


def _click_everything(
    sim: WeComSimulator, cfg: ChaosConfig, sessions: sessionmaker[Session], cards_by_user: dict[str, list[str]],
    outcome: ChaosOutcome,
) -> None:
    """Every member clicks "done" on one or two of their cards, with WeCom-style retries."""
    from wecomply.receiver.app import CALLBACK_PATH, Receiver, ReceiverSettings, create_app

    from bench.serving import ServedApp

    rng = random.Random(f"chaos-clicks:{cfg.seed}")
    settings = ReceiverSettings(token=sim.token, encoding_aes_key=sim.encoding_aes_key, corp_id=sim.corp_id)
    app = create_app(lambda: Receiver(settings=settings, sessions=sessions), clock=sim.clock.now)
    with ServedApp(app) as served:
        url = served.base_url + CALLBACK_PATH
        for user in sorted(cards_by_user):
            cards = sorted(set(cards_by_user[user]))
            for task_id in rng.sample(cards, min(len(cards), rng.choice((1, 2)))):
                style = rng.choice(("plain", "retried", "slow"))
                if style == "slow":
                    # WeCom gave up waiting before our 200 arrived, then retried.
                    sim.click(user, task_id, "done", url, timeout=0.0005, retries=1)
                    status = sim.resend(sim.callbacks[-1])
                else:
                    status = sim.click(user, task_id, "done", url, retries=2)
                    if style == "retried":
                        for _ in range(rng.randint(1, 2)):
                            sim.resend(sim.callbacks[-1])
                if status != 200:
                    outcome.errors.append(f"click by {user} on {task_id} ended with HTTP {status}")
                outcome.clicks += 1
        outcome.callback_posts = sum(len(d.attempts) for d in sim.callbacks)


def _check_acks(sessions: sessionmaker[Session], outcome: ChaosOutcome) -> None:
    import sqlalchemy as sa

    from wecomply.records.inbox import process_events
    from wecomply.records.models import Acknowledgement, CallbackEvent

    # The next DAG run drains whatever the receiver's after-response step left.
    with sessions.begin() as session:
        process_events(session, _now())
    with sessions() as session:
        acks = list(session.execute(sa.select(Acknowledgement.userid, Acknowledgement.task_id)))
        outcome.inbox_events = session.scalar(sa.select(sa.func.count()).select_from(CallbackEvent)) or 0
    per_card = Counter((a.userid, a.task_id) for a in acks)
    outcome.acks_recorded = len(per_card)
    outcome.acks_duplicated = sum(n - 1 for n in per_card.values())


# --- the run ------------------------------------------------------------------------------


def run_chaos(cfg: ChaosConfig, db_url: str, *, backend: str = "sqlite") -> ChaosOutcome:
    from wecom_simulator import WeComSimulator

    from wecomply.records.db import make_engine, session_factory

    outcome = ChaosOutcome(seed=cfg.seed, backend=backend)
    started = time.monotonic()
    sim = WeComSimulator(seed=cfg.seed)
    populate(sim, cfg.people)
    sim.faults.timeout_seconds = cfg.fault_hold_s
    sim.start()
    engine = make_engine(db_url)
    try:
        conn = {"base_url": sim.base_url, "corp_id": sim.corp_id, "secret": sim.secret, "agent_id": sim.agent_id}
        sessions = session_factory(engine)
        sim.faults.random(rate=cfg.fault_rate, seed=cfg.seed, kinds=FAULT_KINDS)
        outcome.killed_mid_send = _kill_mid_send(sim, cfg, db_url, conn)
        outcome.phases["kill"] = time.monotonic() - started
        client = make_client(conn, engine, timeout_s=cfg.client_timeout_s)
        requests = build_requests(cfg.people, cfg.seed)
        _task_tries(sim, cfg, sessions, client, requests, outcome, started)
        outcome.phases["retries"] = time.monotonic() - started - outcome.phases["kill"]
        sim.faults.clear()
        outcome.faults = Counter(kind for _, kind in sim.faults.injected)
        outcome.drops = sim.drops()
        outcome.send_calls = sim.calls(SEND_PATH)
        outcome.dedup_answers = sim.duplicates(SEND_PATH)
        cards_by_user = _check_deliveries(sim, sessions, cfg.people, outcome)
        clicks_started = time.monotonic()
        _click_everything(sim, cfg, sessions, cards_by_user, outcome)
        _check_acks(sessions, outcome)
        outcome.phases["clicks"] = time.monotonic() - clicks_started
    finally:
        engine.dispose()
        sim.stop()
    outcome.elapsed_s = time.monotonic() - started
    return outcome


# --- `python -m bench chaos` ----------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seeds", type=int, default=20, help="number of seeds (1..N)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--rate", type=float, default=0.3, help="fault probability per API call")
    parser.add_argument("--db", nargs="+", choices=BACKENDS, default=list(BACKENDS))


def run(args: argparse.Namespace, command: str) -> Iterator[Case]:
    for backend in args.db:
        outcomes: list[ChaosOutcome] = []
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            cfg = ChaosConfig(seed=seed, people=args.people, fault_rate=args.rate)
            with records_db(backend, label="chaos") as url:
                outcomes.append(run_chaos(cfg, url, backend=backend))
        yield totals(outcomes, backend, command)


def totals(outcomes: list[ChaosOutcome], backend: str, command: str) -> Case:
    faults: Counter[str] = Counter()
    for o in outcomes:
        faults.update(o.faults)
    failed = [o for o in outcomes if o.problems]
    case = Case(NAME, f"{len(outcomes)} seeds {backend}", command=command)
    case.ours = {
        "seeds": len(outcomes),
        "expected_messages": sum(o.expected for o in outcomes),
        "delivered_exactly_once": sum(o.delivered_once for o in outcomes),
        "duplicates": sum(o.duplicates for o in outcomes),
        "missing": sum(o.missing for o in outcomes),
        "drops": sum(o.drops for o in outcomes),
        "clicks": sum(o.clicks for o in outcomes),
        "acks_once": sum(o.acks_recorded for o in outcomes if not o.acks_duplicated),
        "send_calls": sum(o.send_calls for o in outcomes),
        "faults_injected": dict(faults),
        "task_tries": sum(o.task_tries for o in outcomes),
        "workers_killed_mid_send": sum(o.killed_mid_send for o in outcomes),
        "dedup_answers": sum(o.dedup_answers for o in outcomes),
        "seeds_failed": [o.seed for o in failed],
        "problems": {o.seed: o.problems for o in failed},
        "elapsed_s": round(sum(o.elapsed_s for o in outcomes), 1),
    }
    case.targets = [
        Target("delivered_exactly_once", "every expected message, once",
               not any(o.duplicates or o.missing or o.stray or o.delivered_once != o.expected for o in outcomes)),
        Target(
            "acks_once", "every click, once",
            all(o.acks_recorded == o.clicks and not o.acks_duplicated for o in outcomes),
        ),
        Target("drops", "= 0", all(o.drops == 0 for o in outcomes)),
        Target("workers_killed_mid_send", "one per seed", all(o.killed_mid_send for o in outcomes)),
        # The killed worker's send was delivered before the kill: its batch's resend must be
        # answered by WeCom's duplicate check, or the exactly-once result proves less.
        Target("dedup_answers", ">= 1 per seed", all(o.dedup_answers >= 1 for o in outcomes)),
    ]
    return case
