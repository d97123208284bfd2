"""Contacts: departments, members, `user/list_id` paging and `user/update`.

An app token sees only the members in the app's visibility (`visible=True`); the contacts
token sees everyone. Departments are all visible (the simulator has no per-department scope).
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from wecom_simulator.errcodes import (
    DEPARTMENT_NOT_FOUND,
    INVALID_PARAMETER,
    INVALID_TAGID,
    NO_PRIVILEGE,
    USER_NOT_FOUND,
    ApiError,
)
from wecom_simulator.http_types import Request
from wecom_simulator.state import IssuedToken

if TYPE_CHECKING:
    from wecom_simulator.directory import User
    from wecom_simulator.simulator import WeComSimulator


def _sees(token: IssuedToken | None, user: User) -> bool:
    return token is not None and (token.scope == "contacts" or user.visible)


def _department_ids(sim: WeComSimulator, req: Request) -> list[int]:
    raw = req.query.get("id", "")
    if not raw:
        return sim.directory.subtree(1)
    if not raw.isdigit() or int(raw) not in sim.directory.departments:
        raise ApiError(DEPARTMENT_NOT_FOUND, f"department {raw}")
    return sim.directory.subtree(int(raw))


def department_list(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    departments = sim.directory.departments
    return {"department": [departments[d].as_api() for d in _department_ids(sim, req)]}


def department_simplelist(
    sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float
) -> dict[str, Any]:
    departments = sim.directory.departments
    return {
        "department_id": [
            {"id": d, "parentid": departments[d].parentid, "order": departments[d].order}
            for d in _department_ids(sim, req)
        ]
    }


def user_get(sim: WeComSimulator, req: Request, token: IssuedToken | None, now: float) -> dict[str, Any]:
    userid = req.query.get("userid", "")
    user = sim.directory.get(userid) if userid else None
    if user is None:
        raise ApiError(USER_NOT_FOUND, userid)
    if not _sees(token, user):
        raise ApiError(NO_PRIVILEGE, "member outside the app's visibility")
    return user.as_api()


def tag_get(sim: WeComSimulator, req: Request, token: IssuedToken | None, now: float) -> dict[str, Any]:
    """`tag/get`: the tag's members (userlist) and departments (partylist), as WeCom lists them."""
    raw = req.query.get("tagid", "")
    tag = sim.directory.tags.get(int(raw)) if raw.isdigit() else None
    if tag is None:
        raise ApiError(INVALID_TAGID, f"tagid {raw!r}")
    users = [sim.directory.get(u) for u in tag.userids]
    return {
        "tagname": tag.tagname,
        "userlist": [{"userid": u.userid, "name": u.name} for u in users if u is not None and _sees(token, u)],
        "partylist": list(tag.partyids),
    }


def _members(sim: WeComSimulator, req: Request, token: IssuedToken | None) -> list[User]:
    raw = req.query.get("department_id", "")
    directory = sim.directory
    if not raw.isdigit() or int(raw) not in directory.departments:
        raise ApiError(DEPARTMENT_NOT_FOUND, f"department {raw!r}")
    dept = int(raw)
    depts = directory.subtree(dept) if req.query.get("fetch_child") == "1" else [dept]
    seen: dict[str, None] = {}
    for d in depts:
        for key in directory.members[d]:
            seen[key] = None
    users = [directory.users[key] for key in seen]
    return [u for u in users if _sees(token, u)]


def user_list(sim: WeComSimulator, req: Request, token: IssuedToken | None, now: float) -> dict[str, Any]:
    return {"userlist": [u.as_api() for u in _members(sim, req, token)]}


def user_simplelist(sim: WeComSimulator, req: Request, token: IssuedToken | None, now: float) -> dict[str, Any]:
    return {
        "userlist": [
            {"userid": u.userid, "name": u.name, "department": list(u.department), "open_userid": ""}
            for u in _members(sim, req, token)
        ]
    }


def _decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode("ascii") + b"==").decode("ascii").removeprefix("o:"))
    except (ValueError, UnicodeError) as exc:
        raise ApiError(INVALID_PARAMETER, "invalid cursor") from exc


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode("ascii")).decode("ascii").rstrip("=")


def user_list_id(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    body = req.json()
    limit = body.get("limit", 10_000)
    if not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise ApiError(INVALID_PARAMETER, "limit must be 1-10000")
    offset = _decode_cursor(str(body.get("cursor", "") or ""))
    # One entry per (member, department), as WeCom lists them.
    pairs = [(u.userid, d) for u in sim.directory.users.values() for d in u.department]
    page = pairs[offset : offset + limit]
    end = offset + len(page)
    return {
        "next_cursor": _encode_cursor(end) if end < len(pairs) else "",
        "dept_user": [{"userid": userid, "department": dept} for userid, dept in page],
    }


def user_update(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    body = req.json()
    userid = str(body.get("userid", ""))
    user = sim.directory.get(userid) if userid else None
    if user is None:
        raise ApiError(USER_NOT_FOUND, userid)
    if "enable" in body:
        enable = body["enable"]
        if enable not in (0, 1):
            raise ApiError(INVALID_PARAMETER, "enable must be 0 or 1")
        if enable == 0:
            user.status = 2
        elif user.status == 2:
            user.status = 1
    for key in ("name", "position", "mobile", "email", "alias"):
        if key in body:
            setattr(user, key, str(body[key]))
    sim.state.user_updates.append({"time": now, **body})
    return {}
