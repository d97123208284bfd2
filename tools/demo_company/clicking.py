"""Simulated employees reading their cards and clicking, through real encrypted callbacks.

Each person looks at the button cards the simulator delivered to them. Cards built by our
outbox carry `task_id = <duty>@<period>@<step>@<digest>`; for each (duty, period) the person
clicks at most one card: the first one their behaviour plan says they answer, at the time
the plan gives (delivery time + delay). A card already greyed out for them (the receiver
updated it after an earlier click) is not clicked again.

The click itself is `sim.click`, which signs and encrypts a `template_card_event` and POSTs
it to the callback URL, so our receiver sees exactly what WeCom would send. The event's
CreateTime is the simulator's clock: keep that clock at the scenario's `now` (the receiver
refuses timestamps more than 5 minutes away from its own clock) and call this often, or
use `planned_clicks` to step the clock to each click.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from demo_company.behaviour import step_is_escalation
from demo_company.model import Company
from demo_company.workdays import SHANGHAI

if TYPE_CHECKING:
    from wecom_simulator import WeComSimulator


@dataclass(frozen=True, slots=True)
class CardSeen:
    userid: str
    task_id: str
    duty: str
    period: str
    step: str
    button_key: str
    delivered_at: datetime
    msgid: str


@dataclass(frozen=True, slots=True)
class PlannedClick:
    at: datetime
    card: CardSeen


@dataclass(frozen=True, slots=True)
class Click:
    userid: str
    task_id: str
    button_key: str
    duty: str
    period: str
    step: str
    planned_at: datetime
    delivered_at: datetime
    status: int  # HTTP status of the receiver's answer (0: no answer)

    @property
    def ok(self) -> bool:
        return self.status == 200


def parse_task_id(task_id: str) -> tuple[str, str, str] | None:
    """(duty, period, step) from `<duty>@<period>@<step>@<digest>`, or None for other ids."""
    parts = task_id.split("@")
    if len(parts) != 4 or not all(parts):
        return None
    return parts[0], parts[1], parts[2]


def primary_button(card: dict[str, Any]) -> str | None:
    """The key of the first callback button (type 0); link buttons (type 1) send no event."""
    for button in card.get("button_list", []) or []:
        if isinstance(button, dict) and button.get("type", 0) == 0 and button.get("key"):
            return str(button["key"])
    return None


def cards_received(sim: WeComSimulator, userid: str) -> list[CardSeen]:
    """The clickable cards delivered to `userid` that our outbox built, in delivery order."""
    out: list[CardSeen] = []
    for message in sim.received(userid):
        if message.get("msgtype") != "template_card" or message.get("recalled"):
            continue
        card = message.get("template_card") or {}
        if card.get("card_type") != "button_interaction":
            continue
        task_id = str(card.get("task_id") or message.get("task_id") or "")
        parsed = parse_task_id(task_id)
        key = primary_button(card)
        if parsed is None or key is None:
            continue
        duty, period, step = parsed
        out.append(
            CardSeen(
                userid=userid,
                task_id=task_id,
                duty=duty,
                period=period,
                step=step,
                button_key=key,
                delivered_at=datetime.fromtimestamp(float(message["time"]), SHANGHAI),
                msgid=str(message.get("msgid", "")),
            )
        )
    return out


def planned_clicks(
    company: Company,
    sim: WeComSimulator,
    *,
    userids: Iterable[str] | None = None,
    include_escalations: bool = False,
) -> list[PlannedClick]:
    """Every click still to come for the cards delivered so far, earliest first."""
    behaviour = company.behaviour
    people = list(userids) if userids is not None else list(company.employees)
    planned: list[PlannedClick] = []
    for userid in people:
        emp = company.employees.get(userid)
        # Only activated members have the app on a phone; the rest cannot click anything.
        if emp is None or emp.wecom_status != 1:
            continue
        decided: set[tuple[str, str]] = set()
        for card in cards_received(sim, userid):
            instance = (card.duty, card.period)
            if instance in decided or (userid, card.duty, card.period) in behaviour.clicked:
                continue
            if step_is_escalation(card.step) and not include_escalations:
                continue
            when = behaviour.click_at(userid, card.duty, card.period, card.step, card.delivered_at)
            if when is None:
                continue
            decided.add(instance)
            if sim.card_state(card.task_id, userid)["updated"]:
                continue
            planned.append(PlannedClick(when, card))
    planned.sort(key=lambda p: (p.at, p.card.userid, p.card.task_id))
    return planned


def click_due_cards(
    company: Company,
    sim: WeComSimulator,
    callback_url: str,
    *,
    now: datetime,
    userids: Iterable[str] | None = None,
    include_escalations: bool = False,
    retries: int = 2,
    timeout: float | None = None,
) -> list[Click]:
    """Click every card whose planned time is at or before `now`; return the clicks made.

    A click the receiver answered with 200 is remembered in `company.behaviour.clicked`
    and never repeated; a failed one (after WeCom-style `retries`) is returned with its
    status and tried again on the next call.
    """
    if now.tzinfo is None:
        raise ValueError("click_due_cards needs an aware `now` (Asia/Shanghai)")
    clicks: list[Click] = []
    for plan in planned_clicks(company, sim, userids=userids, include_escalations=include_escalations):
        if plan.at > now:
            break
        card = plan.card
        status = sim.click(card.userid, card.task_id, card.button_key, callback_url, retries=retries, timeout=timeout)
        if status == 200:
            company.behaviour.clicked[(card.userid, card.duty, card.period)] = card.task_id
        clicks.append(
            Click(
                userid=card.userid,
                task_id=card.task_id,
                button_key=card.button_key,
                duty=card.duty,
                period=card.period,
                step=card.step,
                planned_at=plan.at,
                delivered_at=card.delivered_at,
                status=status,
            )
        )
    return clicks
