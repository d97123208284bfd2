"""The fake corp's contacts: departments, members, tags, and the app's visibility.

Userids are case-insensitive in WeCom and come back lower-cased in `invaliduser`, so
members are keyed by the lower-cased id while the id as created is kept for display.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

ROOT_DEPARTMENT = 1

# 1 activated, 2 disabled, 4 not activated, 5 left the company (facts sheet §4).
USER_STATUSES = (1, 2, 4, 5)
# Disabled members and leavers cannot receive; not-activated members are still addressable.
DELIVERABLE_STATUSES = frozenset({1, 4})


@dataclass
class Department:
    id: int
    name: str
    parentid: int
    order: int = 0
    name_en: str = ""
    department_leader: list[str] = field(default_factory=list)

    def as_api(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "name_en": self.name_en,
            "department_leader": list(self.department_leader),
            "parentid": self.parentid,
            "order": self.order,
        }


@dataclass
class User:
    userid: str
    name: str
    department: list[int]
    position: str = ""
    status: int = 1
    direct_leader: list[str] = field(default_factory=list)
    is_leader_in_dept: list[int] = field(default_factory=list)
    visible: bool = True
    mobile: str = ""
    email: str = ""
    gender: str = "0"
    main_department: int = 0
    order: list[int] = field(default_factory=list)
    alias: str = ""
    telephone: str = ""

    @property
    def key(self) -> str:
        return self.userid.lower()

    @property
    def enable(self) -> int:
        return 0 if self.status == 2 else 1

    def as_api(self) -> dict[str, object]:
        return {
            "userid": self.userid,
            "name": self.name,
            "department": list(self.department),
            "order": list(self.order),
            "position": self.position,
            "mobile": self.mobile,
            "gender": self.gender,
            "email": self.email,
            "biz_mail": "",
            "is_leader_in_dept": list(self.is_leader_in_dept),
            "direct_leader": list(self.direct_leader),
            "avatar": "",
            "thumb_avatar": "",
            "telephone": self.telephone,
            "alias": self.alias,
            "status": self.status,
            "enable": self.enable,
            "main_department": self.main_department,
            "extattr": {"attrs": []},
            "qr_code": "",
            "external_position": "",
            "address": "",
            "open_userid": "",
        }


@dataclass
class Tag:
    tagid: int
    tagname: str
    userids: list[str] = field(default_factory=list)
    partyids: list[int] = field(default_factory=list)


class Directory:
    def __init__(self, root_name: str = "模拟公司") -> None:
        self.departments: dict[int, Department] = {}
        self.children: dict[int, list[int]] = {}
        self.users: dict[str, User] = {}
        # department id -> member keys in insertion order (dict as an ordered set)
        self.members: dict[int, dict[str, None]] = {}
        self.tags: dict[int, Tag] = {}
        self.add_department(ROOT_DEPARTMENT, root_name, parent_id=0)

    # -- departments -------------------------------------------------------------------
    def add_department(
        self, id: int, name: str, parent_id: int = ROOT_DEPARTMENT, *, order: int = 0, name_en: str = ""
    ) -> Department:
        if id in self.departments:
            raise ValueError(f"department {id} already exists")
        if parent_id and parent_id not in self.departments:
            raise ValueError(f"department {id}: parent {parent_id} does not exist")
        dept = Department(id=id, name=name, parentid=parent_id, order=order, name_en=name_en)
        self.departments[id] = dept
        self.children.setdefault(id, [])
        self.members.setdefault(id, {})
        if parent_id:
            self.children[parent_id].append(id)
        return dept

    def subtree(self, dept_id: int) -> list[int]:
        """The department and all its descendants, parents before children."""
        out: list[int] = []
        stack = [dept_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(reversed(self.children.get(current, [])))
        return out

    def party_members(self, dept_id: int) -> Iterator[str]:
        for dept in self.subtree(dept_id):
            yield from self.members.get(dept, {})

    # -- members -----------------------------------------------------------------------
    def add_user(
        self,
        userid: str,
        name: str,
        department_ids: Iterable[int],
        *,
        direct_leader: Iterable[str] = (),
        status: int = 1,
        is_leader_in_dept: Iterable[int] | None = None,
        visible: bool = True,
        position: str = "",
        mobile: str = "",
        email: str = "",
        gender: str = "0",
        main_department: int | None = None,
        alias: str = "",
    ) -> User:
        depts = [int(d) for d in department_ids]
        if not userid or len(userid) > 64:
            raise ValueError(f"userid {userid!r}: 1-64 characters")
        if userid.lower() in self.users:
            raise ValueError(f"user {userid!r} already exists")
        if not depts:
            raise ValueError(f"user {userid!r}: at least one department")
        missing = [d for d in depts if d not in self.departments]
        if missing:
            raise ValueError(f"user {userid!r}: departments {missing} do not exist")
        if status not in USER_STATUSES:
            raise ValueError(f"user {userid!r}: status must be one of {USER_STATUSES}")
        leaders = [0] * len(depts) if is_leader_in_dept is None else [int(x) for x in is_leader_in_dept]
        if len(leaders) != len(depts):
            raise ValueError(f"user {userid!r}: is_leader_in_dept must match department_ids")
        user = User(
            userid=userid,
            name=name,
            department=depts,
            position=position,
            status=status,
            direct_leader=list(direct_leader),
            is_leader_in_dept=leaders,
            visible=visible,
            mobile=mobile,
            email=email,
            gender=gender,
            main_department=depts[0] if main_department is None else main_department,
            order=[0] * len(depts),
            alias=alias,
        )
        self.users[user.key] = user
        for dept, leader in zip(depts, leaders):
            self.members[dept][user.key] = None
            if leader and userid not in self.departments[dept].department_leader:
                self.departments[dept].department_leader.append(userid)
        return user

    def get(self, userid: str) -> User | None:
        return self.users.get(userid.lower())

    def set_user_status(self, userid: str, status: int) -> None:
        if status not in USER_STATUSES:
            raise ValueError(f"status must be one of {USER_STATUSES}")
        self.require(userid).status = status

    def set_visible(self, userid: str, visible: bool) -> None:
        self.require(userid).visible = visible

    def remove_user(self, userid: str) -> None:
        user = self.require(userid)
        del self.users[user.key]
        for dept in user.department:
            self.members[dept].pop(user.key, None)
            leaders = self.departments[dept].department_leader
            if user.userid in leaders:
                leaders.remove(user.userid)
        for tag in self.tags.values():
            if user.userid in tag.userids:
                tag.userids.remove(user.userid)

    def require(self, userid: str) -> User:
        user = self.get(userid)
        if user is None:
            raise KeyError(f"no user {userid!r}")
        return user

    # -- tags --------------------------------------------------------------------------
    def add_tag(
        self, tagid: int, tagname: str, userids: Iterable[str] = (), partyids: Iterable[int] = ()
    ) -> Tag:
        if tagid in self.tags:
            raise ValueError(f"tag {tagid} already exists")
        tag = Tag(tagid=tagid, tagname=tagname, userids=list(userids), partyids=[int(p) for p in partyids])
        self.tags[tagid] = tag
        return tag

    def tag_members(self, tagid: int) -> Iterator[str]:
        tag = self.tags[tagid]
        for userid in tag.userids:
            yield userid.lower()
        for party in tag.partyids:
            if party in self.departments:
                yield from self.party_members(party)

    # -- visibility --------------------------------------------------------------------
    def visible_to_app(self, key: str) -> bool:
        user = self.users.get(key)
        return user is not None and user.visible

    def deliverable(self, key: str) -> bool:
        user = self.users.get(key)
        return user is not None and user.visible and user.status in DELIVERABLE_STATUSES

    # -- bulk load ---------------------------------------------------------------------
    def load(self, data: dict[str, object]) -> None:
        """Load `{"departments": [...], "users": [...], "tags": [...]}` (see README)."""
        for dept in data.get("departments", []) or []:  # type: ignore[union-attr]
            if int(dept["id"]) == ROOT_DEPARTMENT:
                self.departments[ROOT_DEPARTMENT].name = dept.get("name", self.departments[1].name)
                continue
            self.add_department(
                int(dept["id"]), dept["name"], int(dept.get("parent_id", dept.get("parentid", 1))),
                order=int(dept.get("order", 0)), name_en=dept.get("name_en", ""),
            )
        for user in data.get("users", []) or []:  # type: ignore[union-attr]
            self.add_user(
                user["userid"], user["name"], user.get("department_ids", user.get("department", [1])),
                direct_leader=user.get("direct_leader", ()),
                status=int(user.get("status", 1)),
                is_leader_in_dept=user.get("is_leader_in_dept"),
                visible=bool(user.get("visible", True)),
                position=user.get("position", ""),
                mobile=user.get("mobile", ""),
                email=user.get("email", ""),
                main_department=user.get("main_department"),
            )
        for tag in data.get("tags", []) or []:  # type: ignore[union-attr]
            self.add_tag(int(tag["tagid"]), tag["tagname"], tag.get("userids", ()), tag.get("partyids", ()))

    def export(self) -> dict[str, object]:
        return {
            "departments": [
                {"id": d.id, "name": d.name, "parent_id": d.parentid, "order": d.order}
                for d in self.departments.values()
            ],
            "users": [
                {
                    "userid": u.userid,
                    "name": u.name,
                    "department_ids": list(u.department),
                    "direct_leader": list(u.direct_leader),
                    "status": u.status,
                    "is_leader_in_dept": list(u.is_leader_in_dept),
                    "visible": u.visible,
                    "position": u.position,
                }
                for u in self.users.values()
            ],
            "tags": [
                {"tagid": t.tagid, "tagname": t.tagname, "userids": list(t.userids), "partyids": list(t.partyids)}
                for t in self.tags.values()
            ],
        }
