"""Actions → WeCom message payloads, worded from `include/templates/<duty>/messages.yaml`.

Assign and remind actions go to the assignee as a button card: the click becomes the
acknowledgement. Escalations and notifications are text naming the person concerned.
A payload depends only on the action (never on the run), so a retry freezes the same body
and identical cards to many people batch into one call.

Catalogue keys per topic: `<topic>.title` and `<topic>.desc` for cards, `<topic>.text`
for text; placeholders: {name} {userid} {deadline} {period} {step}. `button.done` labels
the card's button.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wecomply.duties.model import Action, ActionKind, Directory
from wecomply.policy.calendar import SHANGHAI
from wecomply.templating import message
from wecomply.wecom import messages

DONE_KEY = "done"
CARD_KINDS = (ActionKind.ASSIGN, ActionKind.REMIND)


def format_time(value: datetime | None, locale: str) -> str:
    if value is None:
        return "—"
    local = value.astimezone(SHANGHAI)
    if locale == "en":
        return local.strftime("%d %b %H:%M")
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def values_for(action: Action, directory: Directory, locale: str) -> dict[str, Any]:
    person = directory.get(action.assignee or action.subject)
    return {
        "name": person.name if person else action.subject,
        "userid": action.subject,
        "deadline": format_time(action.deadline, locale),
        "period": action.period,
        "step": action.step,
    }


def payload_for(action: Action, directory: Directory, locale: str, *, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    duty, topic = action.template.split("/", 1)
    values = values_for(action, directory, locale) | (extra or {})
    if action.kind in CARD_KINDS:
        return messages.button_card(
            # The outbox gives every batch its own task_id; this placeholder is replaced.
            task_id=f"{duty}-{action.period}-{action.step}".replace(":", "-")[:100],
            title=message(duty, f"{topic}.title", locale, **values),
            desc=message(duty, f"{topic}.desc", locale, **values),
            buttons=[messages.Button(message(duty, "button.done", locale), DONE_KEY)],
        )
    return messages.text(message(duty, f"{topic}.text", locale, **values))
