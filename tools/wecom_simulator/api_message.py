"""`message/send`, `message/update_template_card` and `message/recall`."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from wecom_simulator.errcodes import (
    ALL_RECIPIENTS_INVALID,
    INVALID_AGENTID,
    INVALID_MEDIA_ID,
    INVALID_MSGID,
    INVALID_PARAMETER,
    MISSING_AGENTID,
    RATE_LIMITED,
    ApiError,
)
from wecom_simulator.http_types import Request
from wecom_simulator.messages import INTERACTIVE_CARD_TYPES, prepare_app_message, validate_template_card
from wecom_simulator.state import CardRecord, IssuedToken, ResponseCode, SentMessage
from wecom_simulator.windows import MemberWindow

if TYPE_CHECKING:
    from wecom_simulator.simulator import WeComSimulator

SHANGHAI_OFFSET = 8 * 3600


def shanghai_day(now: float) -> int:
    return int((now + SHANGHAI_OFFSET) // 86_400)


def _ids(value: object, what: str) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):  # update_template_card takes lists
        return [str(v) for v in value if str(v)]
    if not isinstance(value, (str, int)):
        raise ApiError(INVALID_PARAMETER, f"{what} must be a |-joined string")
    return [part for part in str(value).split("|") if part]


def _check_agent(sim: WeComSimulator, body: dict[str, Any]) -> None:
    agentid = body.get("agentid")
    if agentid is None or agentid == "":
        raise ApiError(MISSING_AGENTID)
    try:
        if int(agentid) != sim.agent_id:
            raise ApiError(INVALID_AGENTID)
    except (TypeError, ValueError) as exc:
        raise ApiError(INVALID_AGENTID) from exc


class Recipients:
    """Resolved recipients in request order, deduplicated, plus the invalid ids."""

    def __init__(self) -> None:
        self.valid: dict[str, None] = {}
        self.invalid_users: list[str] = []
        self.invalid_parties: list[str] = []
        self.invalid_tags: list[str] = []

    def extras(self) -> dict[str, str]:
        return {
            "invaliduser": "|".join(self.invalid_users),
            "invalidparty": "|".join(self.invalid_parties),
            "invalidtag": "|".join(self.invalid_tags),
        }


def resolve(
    sim: WeComSimulator, users: list[str], parties: list[str], tags: list[str], *, all_members: bool
) -> Recipients:
    directory = sim.directory
    out = Recipients()
    valid = out.valid
    if all_members:
        for key in directory.users:
            if directory.deliverable(key):
                valid[key] = None
        return out
    for userid in users:
        key = userid.lower()
        if directory.deliverable(key):
            valid[key] = None
        else:
            out.invalid_users.append(key)
    for party in parties:
        dept = int(party) if party.isdigit() else None
        if dept is None or dept not in directory.departments:
            out.invalid_parties.append(party)
            continue
        for key in directory.party_members(dept):
            if directory.deliverable(key):
                valid[key] = None
    for tag in tags:
        tagid = int(tag) if tag.isdigit() else None
        if tagid is None or tagid not in directory.tags:
            out.invalid_tags.append(tag)
            continue
        for key in directory.tag_members(tagid):
            if directory.deliverable(key):
                valid[key] = None
    return out


def _duplicate_key(body: dict[str, Any]) -> bytes:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode("utf-8"), digest_size=16).digest()


def _duplicate_interval(sim: WeComSimulator, body: dict[str, Any]) -> int | None:
    if str(body.get("enable_duplicate_check", 0)) not in ("1", "True", "true"):
        return None
    raw = body.get("duplicate_check_interval", sim.config.duplicate_check_default)
    try:
        interval = int(raw)
    except (TypeError, ValueError) as exc:
        raise ApiError(INVALID_PARAMETER, "duplicate_check_interval must be an integer") from exc
    if not 0 < interval <= sim.config.duplicate_check_max:
        raise ApiError(INVALID_PARAMETER, f"duplicate_check_interval must be 1-{sim.config.duplicate_check_max}")
    return interval


def _prune_duplicates(sim: WeComSimulator, now: float) -> None:
    order = sim.state.dup_order
    index = sim.state.dup_index
    while order and order[0][0] <= now:
        expires_at, key = order.popleft()
        entry = index.get(key)
        if entry is not None and entry[0] == expires_at:
            del index[key]


def send(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    body = req.json()
    _check_agent(sim, body)
    prepared = prepare_app_message(body)
    for media_id in prepared.media_ids:
        if not sim.media_usable(media_id, owner="app", now=now):
            raise ApiError(INVALID_MEDIA_ID, "unknown or expired media_id")

    users = _ids(body.get("touser"), "touser")
    parties = _ids(body.get("toparty"), "toparty")
    tags = _ids(body.get("totag"), "totag")
    config = sim.config
    if len(users) > config.max_touser:
        raise ApiError(INVALID_PARAMETER, f"touser holds {len(users)} > {config.max_touser} userids")
    if len(parties) > config.max_toparty:
        raise ApiError(INVALID_PARAMETER, f"toparty holds {len(parties)} > {config.max_toparty}")
    if len(tags) > config.max_totag:
        raise ApiError(INVALID_PARAMETER, f"totag holds {len(tags)} > {config.max_totag}")

    state = sim.state
    interval = _duplicate_interval(sim, body)
    dup_key = None
    if interval is not None:
        _prune_duplicates(sim, now)
        dup_key = _duplicate_key(body)
        hit = state.dup_index.get(dup_key)
        if hit is not None:
            state.duplicates[req.path] += 1
            return dict(hit[1])

    recipients = resolve(sim, users, parties, tags, all_members=users == ["@all"])
    if not recipients.valid:
        raise ApiError(ALL_RECIPIENTS_INVALID, extra=recipients.extras())

    interactive = prepared.card_type in INTERACTIVE_CARD_TYPES
    if prepared.task_id is not None and prepared.task_id in state.task_ids:
        raise ApiError(INVALID_PARAMETER, "template_card.task_id already used in this app")

    day = shanghai_day(now)
    if state.daily[day] + len(recipients.valid) > sim.daily_cap():
        raise ApiError(RATE_LIMITED, "daily message quota (seats x 200) reached")
    state.daily[day] += len(recipients.valid)

    msgid = sim.new_id("msg")
    delivered: dict[str, Any] = {
        "msgid": msgid,
        "time": now,
        "agentid": sim.agent_id,
        "msgtype": prepared.msgtype,
        prepared.msgtype: prepared.content,
        "safe": body.get("safe", 0),
        "truncated": prepared.truncated,
        "recalled": False,
    }
    if prepared.task_id is not None:
        delivered["task_id"] = prepared.task_id

    delivered_to: list[str] = []
    dropped: list[str] = []
    windows = state.windows
    per_minute, per_hour = config.member_per_minute, config.member_per_hour
    for key in recipients.valid:
        window = windows.get(key)
        if window is None:
            window = windows[key] = MemberWindow(per_minute, per_hour)
        if window.try_deliver(now):
            state.received[key].append(delivered)
            delivered_to.append(key)
        else:
            state.dropped[key].append(delivered)
            state.drop_counts[key] += 1
            dropped.append(key)
    state.messages[msgid] = SentMessage(
        msgid=msgid, body=delivered, recipients=delivered_to, dropped=dropped, sent_at=now, request=body
    )

    response: dict[str, Any] = {**recipients.extras(), "unlicenseduser": "", "msgid": msgid}
    if prepared.task_id is not None:
        state.task_ids.add(prepared.task_id)
        if prepared.card_type is not None:
            state.cards[prepared.task_id] = CardRecord(
                task_id=prepared.task_id,
                msgid=msgid,
                card_type=prepared.card_type,
                card=prepared.content,
                recipients=list(recipients.valid),
                sent_at=now,
            )
    if interactive and prepared.task_id is not None:
        response["response_code"] = issue_response_code(sim, prepared.task_id, None, now)
    if dup_key is not None and interval is not None:
        expires_at = now + interval
        state.dup_index[dup_key] = (expires_at, {"errcode": 0, "errmsg": "ok", **response})
        state.dup_order.append((expires_at, dup_key))
    return response


def issue_response_code(sim: WeComSimulator, task_id: str, userid: str | None, now: float) -> str:
    code = sim.new_id("rc")
    sim.state.response_codes[code] = ResponseCode(code=code, task_id=task_id, userid=userid, issued_at=now)
    return code


def update_template_card(
    sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float
) -> dict[str, Any]:
    body = req.json()
    _check_agent(sim, body)
    state = sim.state
    code = state.response_codes.get(str(body.get("response_code", "")))
    if code is None:
        raise ApiError(INVALID_PARAMETER, "invalid response_code")
    if code.used_at is not None:
        raise ApiError(INVALID_PARAMETER, "response_code already used")
    if now - code.issued_at >= sim.config.response_code_ttl:
        raise ApiError(INVALID_PARAMETER, "response_code expired")
    card = state.cards[code.task_id]

    button = body.get("button")
    new_card = body.get("template_card")
    if (button is None) == (new_card is None):
        raise ApiError(INVALID_PARAMETER, "give exactly one of button and template_card")
    update: dict[str, Any] = {"time": now, "task_id": card.task_id, "response_code": code.code}
    if button is not None:
        if card.card_type not in INTERACTIVE_CARD_TYPES:
            raise ApiError(INVALID_PARAMETER, "button.replace_name needs a button/vote/multiple card")
        name = button.get("replace_name") if isinstance(button, dict) else None
        if not isinstance(name, str) or not name:
            raise ApiError(INVALID_PARAMETER, "button.replace_name missing")
        update["replace_name"] = name
    else:
        if not isinstance(new_card, dict):
            raise ApiError(INVALID_PARAMETER, "template_card must be an object")
        validate_template_card(new_card)
        update["template_card"] = new_card

    users = _ids(body.get("userids"), "userids")
    parties = _ids(body.get("partyids"), "partyids")
    tags = _ids(body.get("tagids"), "tagids")
    config = sim.config
    if len(users) > config.max_touser or len(parties) > config.max_toparty or len(tags) > config.max_totag:
        raise ApiError(INVALID_PARAMETER, "at most 1000 userids, 100 partyids and 100 tagids")
    if str(body.get("atall", 0)) == "1":
        targets = list(card.recipients)
        invalid: list[str] = []
    else:
        resolved = resolve(sim, users, parties, tags, all_members=False)
        holders = set(card.recipients)
        targets = [key for key in resolved.valid if key in holders]
        invalid = resolved.invalid_users + [key for key in resolved.valid if key not in holders]
    if not targets:
        raise ApiError(ALL_RECIPIENTS_INVALID, extra={"invaliduser": "|".join(invalid)})
    code.used_at = now
    update["userids"] = targets
    for key in targets:
        card.states[key] = update
    state.card_updates.append(update)
    return {"invaliduser": "|".join(invalid)}


def recall(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    body = req.json()
    msgid = str(body.get("msgid", ""))
    message = sim.state.messages.get(msgid)
    if message is None:
        raise ApiError(INVALID_MSGID, "unknown msgid")
    if message.body["recalled"]:
        raise ApiError(INVALID_MSGID, "already recalled")
    if now - message.sent_at > sim.config.recall_window:
        raise ApiError(INVALID_MSGID, "only messages from the last 24 hours can be recalled")
    message.body["recalled"] = True
    sim.state.recalled.append(msgid)
    return {}
