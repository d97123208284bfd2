"""Notices to acknowledge (v1 §3.2, §7.1): publish once, then nag, escalate and record.

`publish_notice` reads the Params form of a manual run, resolves the audience once and
records the notice with one assignment per recipient. `follow_up_notices` (every run,
manual or scheduled) sends each open notice's card — identical for everyone, so the outbox
packs up to 1000 recipients per request — and the ladder's reminders and escalations.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from wecomply.duties.model import Directory
from wecomply.duties.notices import Audience, Notice, notice_due, plan_notice, resolve_audience
from wecomply.errors import UserFacingError
from wecomply.flows.context import RunContext
from wecomply.flows.form_values import id_list, parse_time, text_value
from wecomply.flows.people import load_people
from wecomply.flows.send import send_actions
from wecomply.policy.calendar import SHANGHAI
from wecomply.records import notices as repo
from wecomply.records.models import Department
from wecomply.templating import clip

TITLE_MAX = 100
BODY_MAX = 1000
CARD_BODY_CHARS = 400
_KEY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def notice_key(form: Mapping[str, Any], ctx: RunContext) -> str:
    """The form's key, else one derived from the run's logical time and the title, so a
    retried or cleared run finds the notice it published instead of publishing it again."""
    given = str(form.get("notice_key") or "").strip()
    if given:
        if len(given) > 40 or not set(given) <= _KEY_CHARS:
            raise UserFacingError(
                f"表单字段 notice_key {given!r} 只能包含字母、数字、_ 和 -，最长 40 / field notice_key: "
                "letters, digits, _ and - only, at most 40 characters"
            )
        return given
    local = ctx.now.astimezone(SHANGHAI)
    seed = f"{ctx.now.isoformat()}\x1f{form.get('title') or ''}"
    return f"n{local:%Y%m%d}-{hashlib.sha256(seed.encode()).hexdigest()[:8]}"


def _has_content(form: Mapping[str, Any]) -> bool:
    return any(form.get(k) for k in ("title", "body", "audience_all", "audience_departments", "audience_tags", "audience_users"))


def _tag_members(ctx: RunContext, tags: list[int]) -> dict[int, list[str]]:
    if not tags:
        return {}
    from wecomply.wecom.errors import WeComApiError

    members: dict[int, list[str]] = {}
    for tag in tags:
        try:
            members[tag] = list(ctx.sender.get_tag_members(tag))
        except WeComApiError as exc:
            if exc.errcode != 40068:
                raise
            raise UserFacingError(
                f"audience_tags: 企业微信中没有标签 {tag}，请在通讯录 → 标签中核对标签 ID / "
                f"audience_tags: WeCom has no tag {tag}; check the tag id under Contacts → Tags"
            ) from None
    return members


def publish_notice(ctx: RunContext, form: Mapping[str, Any]) -> dict[str, int]:
    """Record the notice the form describes (once per key); {} when the form is empty."""
    if not _has_content(form):
        return {"published": 0}
    title = text_value(form.get("title"), "title", required=True, limit=TITLE_MAX)
    body = text_value(form.get("body"), "body", required=True, limit=BODY_MAX)
    everyone = bool(form.get("audience_all"))
    departments = id_list(form.get("audience_departments"), "audience_departments", kind=int)
    tags = id_list(form.get("audience_tags"), "audience_tags", kind=int)
    users = id_list(form.get("audience_users"), "audience_users")
    if not (everyone or departments or tags or users):
        raise UserFacingError(
            "请选择受众：全体员工、部门、标签或人员 / choose an audience: audience_all, audience_departments, "
            "audience_tags or audience_users"
        )
    urgent = bool(form.get("urgent"))
    key = notice_key(form, ctx)
    with ctx.sessions.begin() as session:
        if repo.get_notice(key, session=session) is not None:
            return {"published": 0, "already_published": 1}
        people = load_people(session)
        parents = dict(session.execute(sa.select(Department.id, Department.parent_id)).all())
    today = ctx.now.astimezone(SHANGHAI).date()
    if everyone:
        recipients = tuple(sorted({p.userid for p in Directory(people).active(today)} | set(users)))
    else:
        recipients = resolve_audience(
            Audience(departments=frozenset(departments), tags=frozenset(tags), users=frozenset(users)),
            people, on=today, tag_members=_tag_members(ctx, tags), department_parents=parents,
        )
    if not recipients:
        raise UserFacingError(
            f"通知「{title}」的受众为空：所选部门/标签/人员中没有在职员工 / the audience of notice {key} is empty: "
            "no active employee in the chosen departments, tags or users"
        )
    deadline = parse_time(form.get("deadline"), "deadline") or notice_due(
        Notice(notice_id=key, title=title, published_at=ctx.now), ctx.policy, ctx.calendar
    )
    if deadline <= ctx.now:
        raise UserFacingError(
            f"表单字段 deadline {deadline.isoformat()} 早于发布时间 / field deadline is not after the publishing "
            f"time {ctx.now.isoformat()}; give a later deadline or leave it empty for the policy's default"
        )
    department_of = {p.userid: p.department_id for p in people}
    with ctx.sessions.begin() as session:
        created = repo.create_notice(
            session=session, key=key, title=title, body=body,
            audience={"all": everyone, "departments": departments, "tags": tags, "users": users},
            recipients=recipients, department_of=department_of, urgent=urgent, deadline_at=deadline,
            created_by=text_value(form.get("publisher"), "publisher") or None, now=ctx.now,
        )
    return {"published": int(created), "recipients": len(recipients) if created else 0}


def follow_up_notices(ctx: RunContext) -> dict[str, int]:
    with ctx.sessions.begin() as session:
        people = load_people(session)
        notices = []
        for row in repo.open_notices(session=session):
            recipients, acknowledged = repo.recipients_of(row.key, session=session)
            notices.append((row.key, row.title, row.body, row.created_at, row.deadline_at, row.urgent, recipients, acknowledged))
    directory = Directory(people)
    summary: dict[str, int] = {"open_notices": len(notices)}
    for key, title, body, published_at, deadline, urgent, recipients, acknowledged in notices:
        notice = Notice(notice_id=key, title=title, published_at=published_at, deadline=deadline, urgent=urgent)
        actions = plan_notice(
            notice, recipients, people, acknowledged=acknowledged, now=ctx.now, policy=ctx.policy, calendar=ctx.calendar
        )
        extra = {"title": title, "body": clip(body, CARD_BODY_CHARS)}
        for name, value in send_actions(ctx, actions, directory, extra_values=extra).items():
            summary[name] = summary.get(name, 0) + value
    return summary
