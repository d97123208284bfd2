"""The WeCom directory sync: departments and members into the records, bulk.

WeCom calls: `department/list` once, `user/list_id` (cursor paging, the authoritative list
of who exists), and `user/list` once per department for the details, a few at a time. `user/get` is only
used for the rare member who appears in `user/list_id` but in no department listing
(created between the two calls). The records side is one bulk fold
(`records.directory.sync_directory`): no round trip per member.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import sqlalchemy as sa

from wecomply.errors import UserFacingError
from wecomply.flows.context import RunContext
from wecomply.policy.calendar import SHANGHAI
from wecomply.records.directory import DepartmentRecord, MemberRecord, finished_wecom_sync, sync_directory
from wecomply.records.models import Department
from wecomply.wecom.errors import WeComApiError

CONTACTS_CONN_ID = "wecom_contacts"
# Members seen by `user/list_id` but in no department listing are fetched one by one;
# more than this means the listings are broken (visibility, permissions), not a race.
MAX_STRAGGLERS = 200
USER_NOT_FOUND = 60111
# Department listings in flight at once. A company with 1,000 departments makes 1,000
# `user/list` calls; one at a time, each waits a full round trip to WeCom (tens of ms from
# a server in China), so the sync spent most of its time waiting. WeCom allows 10,000
# calls a minute per API; community reports put its concurrency limit (errcode 45033,
# retried with backoff by the client) at 5-10 for some APIs, so we stay under it.
LISTING_WORKERS = 4


class ContactsClient(Protocol):
    def list_departments(self, department_id: int | None = None) -> list[dict[str, Any]]: ...
    def list_department_users(self, department_id: int) -> list[dict[str, Any]]: ...
    def list_user_ids(self, *, page_size: int = 10000) -> list[dict[str, Any]]: ...
    def get_user(self, userid: str) -> dict[str, Any]: ...


def is_sync_day(ctx: RunContext) -> bool:
    """Working days only, by China's official calendar (调休 Saturdays included)."""
    return ctx.calendar.is_working_day(ctx.now.astimezone(SHANGHAI).date())


def fetch_directory(
    client: ContactsClient, *, workers: int = LISTING_WORKERS
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """WeCom's departments and members (userid → `user/list` details).

    The department listings are read `workers` at a time; a member listed in several
    departments keeps the details of the first in WeCom's department order, as when they
    are read one by one.
    """
    departments = client.list_departments()
    listed = {str(entry["userid"]).lower(): str(entry["userid"]) for entry in client.list_user_ids()}
    details: dict[str, dict[str, Any]] = {}
    for users in _department_listings(client, [int(d["id"]) for d in departments], workers):
        for user in users:
            details.setdefault(str(user["userid"]).lower(), user)
    stragglers = [userid for key, userid in listed.items() if key not in details]
    if len(stragglers) > MAX_STRAGGLERS:
        raise UserFacingError(
            f"connection {CONTACTS_CONN_ID}: {len(stragglers)} members are listed by user/list_id but in no "
            "department's user/list; give the contacts-sync secret visibility of the whole company "
            "(管理工具 → 通讯录同步 → 权限) / widen the contacts secret's scope"
        )
    for userid in stragglers:
        try:
            details[userid.lower()] = client.get_user(userid)
        except WeComApiError as exc:
            if exc.errcode != USER_NOT_FOUND:
                raise
    return departments, details


def _department_listings(
    client: ContactsClient, department_ids: list[int], workers: int
) -> Iterator[list[dict[str, Any]]]:
    """`user/list` of each department, in the order given, up to `workers` in flight.

    The first failure (after the client's own retries) stops the sync: the listings not
    yet started are cancelled, and nothing has been written.
    """
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="wecom-user-list") as pool:
        futures = [pool.submit(client.list_department_users, department_id) for department_id in department_ids]
        try:
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def member_record(user: Mapping[str, Any]) -> MemberRecord:
    departments = tuple(int(d) for d in user.get("department") or ())
    main = user.get("main_department")
    status = int(user.get("status") or 1)
    return MemberRecord(
        userid=str(user["userid"]),
        name=str(user.get("name") or user["userid"]),
        status=status,
        department_ids=departments,
        main_department_id=int(main) if main else None,
        enabled=int(user.get("enable", 1) or 0) == 1 and status != 2,
        direct_leaders=tuple(str(x) for x in user.get("direct_leader") or ()),
        position=str(user.get("position") or "") or None,
    )


def department_records(departments: Iterable[Mapping[str, Any]], existing: Mapping[int, Any]) -> list[DepartmentRecord]:
    """WeCom's departments, keeping HR's head and account owner where the records have them.

    WeCom's `department_leader` only fills a head the records lack: the roster is authoritative.
    """
    out = []
    for d in departments:
        dept_id = int(d["id"])
        known = existing.get(dept_id)
        leaders = [str(x) for x in d.get("department_leader") or ()]
        head = (known.head_userid if known is not None else None) or (leaders[0] if leaders else None)
        out.append(
            DepartmentRecord(
                id=dept_id,
                name=str(d.get("name") or dept_id),
                parent_id=int(d["parentid"]) if d.get("parentid") else None,
                head_userid=head,
                account_owner_userid=known.account_owner_userid if known is not None else None,
            )
        )
    return out


def run_directory_sync(
    ctx: RunContext, connect: Callable[[], ContactsClient], *, run_id: str | None = None, reread: bool = False
) -> dict[str, Any]:
    """Read WeCom's directory and fold it into the records, once per run instant.

    A run whose instant (logical time) is already synced in the records (a retry after the
    commit, a clear, a backfill, `dag.test()` again) reports that sync instead of reading
    WeCom again: the fold records WeCom as it was at that instant, and a second read days
    later would date today's joiners and leavers to it. The next scheduled sync reads
    WeCom anyway. `reread` (the DAG's form field `reread_directory`) reads and folds again.
    `connect` builds the contacts client only when WeCom is read, so a run that reports its
    recorded sync never loads the contacts secret.
    """
    if not reread:
        with ctx.sessions() as session:
            done = finished_wecom_sync(ctx.now, session=session)
        if done is not None:
            return _summary(done.counts, done.sync_run_id, read_wecom=False)
    departments, details = fetch_directory(connect())
    if not details:
        raise UserFacingError(
            f"connection {CONTACTS_CONN_ID}: WeCom returned no members; refusing to mark everyone as left. "
            "Check that the connection holds the contacts-sync (通讯录同步) secret"
        )
    members = [member_record(u) for u in details.values()]
    with ctx.sessions.begin() as session:
        d = Department.__table__
        existing = {r.id: r for r in session.execute(sa.select(d.c.id, d.c.head_userid, d.c.account_owner_userid))}
        result = sync_directory(
            department_records(departments, existing), members, session=session, now=ctx.now, run_id=run_id, complete=True
        )
    return _summary(result.counts(), result.sync_run_id, read_wecom=True)


def _summary(counts: Mapping[str, Any], sync_run_id: int, *, read_wecom: bool) -> dict[str, Any]:
    return dict(counts) | {"sync_run_id": sync_run_id, "read_wecom": read_wecom}
