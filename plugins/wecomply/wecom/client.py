"""The WeCom app API client (self-built app, 自建应用).

Owns transport, the access token, retries, pacing and typed errors; the Airflow hook over
it is thin. One instance serves one secret: the app secret, or (for `list_user_ids` and
other contacts calls) the contacts-sync secret in a second instance.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests

from wecomply.wecom.errors import (
    InvalidMessage,
    MessageTooLarge,
    WeComAllRecipientsInvalid,
    WeComApiError,
    WeComConnectionInvalid,
    WeComError,
    WeComSendInDoubt,
    WeComTokenRejected,
)
from wecomply.wecom.memory_stores import MemoryPacingStore, MemoryTokenStore
from wecomply.wecom.messages import (
    MAX_USERS_PER_CALL,
    body_bytes,
    recipients_of,
    update_card_body,
)
from wecomply.wecom.pacing import DailyCap, Pacer, app_scope
from wecomply.wecom.stores import CachedToken, PacingStore, TokenStore
from wecomply.wecom.tokens import TokenSealer
from wecomply.wecom.transport import RetryPolicy, Transport

log = logging.getLogger("wecomply.wecom")

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
MEDIA_LIMITS = {"image": 10 * 2**20, "voice": 2 * 2**20, "video": 10 * 2**20, "file": 20 * 2**20}
MEDIA_MIN_BYTES = 6  # WeCom refuses files of 5 bytes or less
CHECKIN_MAX_USERS = 100
CHECKIN_MAX_SPAN_S = 30 * 86400
MEETING_MAX_SPAN_S = 180 * 86400
MEETING_PAGE = 100
# A token this close to expiry is not used: a request must reach WeCom before it lapses.
TOKEN_EXPIRY_SAFETY_S = 30.0
# How long a token read from the shared store is reused without reading it again. Every
# message would otherwise cost a store transaction and an unseal; a token another process
# replaced meanwhile is at worst rejected once, and a rejection always re-reads the store.
TOKEN_REREAD_S = 30.0

Timestamp = int | float | datetime


def _epoch(value: Timestamp) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("datetimes passed to WeCom must be timezone-aware")
        return int(value.timestamp())
    return int(value)


def _split_ids(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    return [part for part in str(value).split("|") if part]


@dataclass(frozen=True)
class SendResult:
    """What `message/send` reported. Userids are mapped back to the case we sent."""

    msgid: str | None
    invalid_users: tuple[str, ...] = ()
    invalid_parties: tuple[str, ...] = ()
    invalid_tags: tuple[str, ...] = ()
    unlicensed_users: tuple[str, ...] = ()
    response_code: str | None = None


class WeComClient:
    """Client for one app (or the contacts-sync secret when `agent_id` is None).

    `on_secret` is called with the app secret and with every new access token, so the
    Airflow layer can register them with its secrets masker. `clock` and `sleep` drive
    token expiry, pacing and backoff, and are injectable for tests.
    """

    def __init__(
        self,
        base_url: str,
        corp_id: str,
        secret: str,
        agent_id: int | None,
        *,
        conn_id: str = "wecom_default",
        token_store: TokenStore | None = None,
        pacing_store: PacingStore | None = None,
        session: requests.Session | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy = RetryPolicy(),
        daily_seat_cap: int | None = None,
        on_secret: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        token_refresh_margin_s: float = 300.0,
        max_pacing_wait_s: float = 120.0,
    ) -> None:
        if not corp_id:
            raise WeComConnectionInvalid(conn_id, "login", "请填入企业ID (corpid)", "set login to the corp id")
        if not secret:
            raise WeComConnectionInvalid(conn_id, "password", "请填入应用 Secret", "set password to the app secret")
        self.base_url = (base_url or DEFAULT_BASE_URL).rstrip("/")
        self.corp_id = corp_id
        self.agent_id = agent_id
        self.conn_id = conn_id
        self.token_store: TokenStore = token_store if token_store is not None else MemoryTokenStore()
        self.pacing_store: PacingStore = pacing_store if pacing_store is not None else MemoryPacingStore()
        self._secret = secret
        self._on_secret = on_secret
        self._seen_secrets: set[str] = set()
        self._clock = clock
        self._refresh_margin_s = token_refresh_margin_s
        self._short_lived_sealed: str | None = None
        # (token, read at, usable until): the store's token as this process last read it.
        self._recent: tuple[str, float, float] | None = None
        self._sealer = TokenSealer(secret, corp_id)
        self.token_key = f"{corp_id}:{agent_id if agent_id is not None else '-'}:{self._sealer.key_id}"
        self._transport = Transport(
            self.base_url, conn_id=conn_id, session=session, timeout=timeout, retry=retry,
            sleep=sleep, secrets=lambda: self._seen_secrets,
        )
        self.scope = app_scope(corp_id, agent_id if agent_id is not None else "-")
        self._pacer = Pacer(self.pacing_store, self.scope, clock=clock, sleep=sleep, max_wait_s=max_pacing_wait_s)
        self._daily = DailyCap(self.pacing_store, self.scope, daily_seat_cap, clock=clock)
        self._register_secret(secret)

    def __repr__(self) -> str:
        return (
            f"WeComClient(base_url={self.base_url!r}, corp_id={self.corp_id!r}, "
            f"agent_id={self.agent_id!r}, conn_id={self.conn_id!r})"
        )

    # --- access token ------------------------------------------------------------------

    def _register_secret(self, value: str) -> None:
        if value not in self._seen_secrets:
            self._seen_secrets.add(value)
            if self._on_secret is not None:
                self._on_secret(value)

    def _cached_token(self, *, recent_ok: bool = False) -> str | None:
        now = self._clock()
        if recent_ok and self._recent is not None:
            token, read_at, good_until = self._recent
            if read_at <= now < min(good_until, read_at + TOKEN_REREAD_S):
                return token
        cached = self.token_store.get(self.token_key)
        self._recent = None
        if cached is None:
            return None
        if now >= cached.expires_at - TOKEN_EXPIRY_SAFETY_S:
            return None
        if now >= cached.expires_at - self._refresh_margin_s and cached.sealed != self._short_lived_sealed:
            return None
        token = self._sealer.unseal(cached.sealed, self.token_key)
        if token is not None:
            self._register_secret(token)
            self._remember(token, cached, now)
        return token

    def _remember(self, token: str, cached: CachedToken, now: float) -> None:
        good_until = cached.expires_at - (
            TOKEN_EXPIRY_SAFETY_S if cached.sealed == self._short_lived_sealed else self._refresh_margin_s
        )
        self._recent = (token, now, good_until)

    def access_token(self, *, rejected: str | None = None) -> str:
        """A valid token: from the store, or fetched once for all processes sharing it.

        `rejected` is a token WeCom just refused; a fresh one is fetched unless another
        process has already replaced it.
        """
        if rejected is None:
            token = self._cached_token(recent_ok=True)
            if token is not None:
                return token
        with self.token_store.refresh_lock(self.token_key):
            token = self._cached_token()
            if token is not None and token != rejected:
                return token
            return self._fetch_token()

    def _fetch_token(self) -> str:
        data = self._transport.run(
            lambda: self._transport.exchange(
                "GET", "gettoken", params={"corpid": self.corp_id, "corpsecret": self._secret}
            ),
            endpoint="gettoken",
        )
        token = str(data.get("access_token") or "")
        if not token:
            raise WeComApiError(0, "gettoken returned no access_token", "gettoken", conn_id=self.conn_id)
        self._register_secret(token)
        expires_in = float(data.get("expires_in") or 7200)
        sealed = self._sealer.seal(token, self.token_key)
        if expires_in <= self._refresh_margin_s:
            # An early refresh got the same token back (older WeCom behaviour): keep using it
            # until it really expires instead of calling gettoken before every request.
            self._short_lived_sealed = sealed
        now = self._clock()
        cached = CachedToken(sealed=sealed, expires_at=now + expires_in)
        self.token_store.put(self.token_key, cached)
        # The in-process copy still holds the token this fetch replaces (often one WeCom
        # just refused): without this the next call would send the refused token again.
        self._remember(token, cached, now)
        log.info("WeCom %s: fetched a new access token for agent %s", self.conn_id, self.agent_id)
        return token

    # --- calls -------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        data: bytes | None = None,
        files: Mapping[str, Any] | None = None,
        send: bool = False,
        duplicate_check: bool = False,
        before_attempt: Callable[[], object] | None = None,
    ) -> dict[str, Any]:
        payload = body_bytes(json_body) if json_body is not None else data

        def exchange(token: str) -> dict[str, Any]:
            if before_attempt is not None:
                before_attempt()
            return self._transport.exchange(
                method, path, params={**(params or {}), "access_token": token}, data=payload, files=files
            )

        def attempt() -> dict[str, Any]:
            token = self.access_token()
            try:
                return exchange(token)
            except WeComTokenRejected:
                # Expired or revoked early: refresh once and retry once (the rejected call
                # was not carried out, so repeating it is safe).
                log.info("WeCom %s: token rejected on %s; refreshing", self.conn_id, path)
                return exchange(self.access_token(rejected=token))

        return self._transport.run(attempt, endpoint=path, send=send, duplicate_check=duplicate_check)

    # --- messages ----------------------------------------------------------------------

    def _require_agent(self) -> int:
        if self.agent_id is None:
            raise WeComConnectionInvalid(
                self.conn_id, "extra agent_id", "发送应用消息需要应用的 AgentId", "sending app messages needs the app's AgentId"
            )
        return self.agent_id

    def send_message(self, body: Mapping[str, Any]) -> SendResult:
        """Send ONE prepared `message/send` body (≤ 1000 users) exactly as given.

        A missing `agentid` is filled in with this client's. Before the request, every
        recipient's pacing quota is reserved (waiting up to `max_pacing_wait_s`) and the
        daily cap is charged. A request that may have reached WeCom is retried only if the
        body has `enable_duplicate_check=1`; otherwise `WeComSendInDoubt` is raised.
        """
        agent_id = self._require_agent()
        prepared = dict(body)
        if "agentid" not in prepared:
            prepared["agentid"] = agent_id
        elif int(prepared["agentid"]) != agent_id:
            raise InvalidMessage(
                f"body is for agent {prepared['agentid']}, but connection {self.conn_id} is agent {agent_id}"
            )
        if prepared.get("toparty") or prepared.get("totag"):
            raise InvalidMessage("toparty/totag are not supported: pacing needs explicit userids")
        users = recipients_of(prepared)
        if not users:
            raise InvalidMessage("message/send body has no touser")
        if any(u.lower() == "@all" for u in users):
            raise InvalidMessage("@all is not supported: pacing needs explicit userids")
        if len(users) > MAX_USERS_PER_CALL:
            raise MessageTooLarge("touser", len(users), MAX_USERS_PER_CALL, unit="项")
        duplicate_check = str(prepared.get("enable_duplicate_check", 0)) == "1"

        by_lower = {u.lower(): u for u in users}

        def original(ids: Iterable[str]) -> tuple[str, ...]:
            # WeCom reports userids lower-cased; give callers back the ids they sent.
            return tuple(by_lower.get(i.lower(), i) for i in ids)

        day = self._daily.charge(len(users))
        try:
            data = self._call(
                "POST", "message/send", data=body_bytes(prepared), send=True,
                duplicate_check=duplicate_check, before_attempt=lambda: self._pacer.acquire(users),
            )
        except WeComSendInDoubt:
            raise
        except WeComAllRecipientsInvalid as exc:
            self._daily.refund(day, len(users))
            exc.invalid_users = original(_split_ids(exc.response.get("invaliduser"))) or tuple(users)
            raise
        except WeComError:
            self._daily.refund(day, len(users))
            raise

        result = SendResult(
            msgid=str(data["msgid"]) if data.get("msgid") else None,
            invalid_users=original(_split_ids(data.get("invaliduser"))),
            invalid_parties=tuple(_split_ids(data.get("invalidparty"))),
            invalid_tags=tuple(_split_ids(data.get("invalidtag"))),
            unlicensed_users=original(_split_ids(data.get("unlicenseduser"))),
            response_code=str(data["response_code"]) if data.get("response_code") else None,
        )
        self._daily.refund(day, len(set(result.invalid_users)))
        return result

    def upload_media(self, filename: str, data: bytes, type: str = "file") -> str:
        """Upload a temporary media file (valid 3 days); returns its media_id."""
        limit = MEDIA_LIMITS.get(type)
        if limit is None:
            raise InvalidMessage(f"media type must be one of {sorted(MEDIA_LIMITS)}")
        if len(data) > limit:
            raise MessageTooLarge(f"media ({type}) {filename}", len(data), limit)
        if len(data) < MEDIA_MIN_BYTES:
            raise InvalidMessage(f"media {filename} is {len(data)} bytes; WeCom needs more than 5")
        result = self._call(
            "POST", "media/upload", params={"type": type},
            files={"media": (filename, data, "application/octet-stream")},
        )
        return str(result["media_id"])

    def update_template_card(
        self,
        userids: Sequence[str],
        response_code: str,
        *,
        replace_name: str | None = None,
        template_card: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Update a sent button card for `userids` (e.g. grey its buttons out as "已确认").

        `response_code` is single-use, so a request that may have been carried out is
        reported (`WeComSendInDoubt`) rather than repeated.
        """
        body = update_card_body(
            userids, response_code, agent_id=self._require_agent(),
            replace_name=replace_name, template_card=template_card,
        )
        return self._call("POST", "message/update_template_card", json_body=body, send=True)

    def recall(self, msgid: str) -> None:
        """Recall a message sent within the last 24 hours (WeCom client copies only)."""
        self._call("POST", "message/recall", json_body={"msgid": msgid})

    # --- contacts ----------------------------------------------------------------------

    def list_departments(self, department_id: int | None = None) -> list[dict[str, Any]]:
        """Departments (with names) under `department_id`, recursively; all visible if None."""
        params = {"id": department_id} if department_id is not None else {}
        return list(self._call("GET", "department/list", params=params).get("department", []))

    def list_department_users(self, department_id: int) -> list[dict[str, Any]]:
        """Member details of one department (not recursive: walk sub-departments yourself)."""
        data = self._call("GET", "user/list", params={"department_id": department_id})
        return list(data.get("userlist", []))

    def get_tag_members(self, tagid: int) -> list[str]:
        """Userids behind a tag (标签): its members, plus the members of its departments."""
        data = self._call("GET", "tag/get", params={"tagid": tagid})
        userids = [str(u["userid"]) for u in data.get("userlist", [])]
        for department_id in data.get("partylist", []):
            userids.extend(str(u["userid"]) for u in self.list_department_users(int(department_id)))
        return list(dict.fromkeys(userids))

    def get_user(self, userid: str) -> dict[str, Any]:
        return self._call("GET", "user/get", params={"userid": userid})

    def list_user_ids(self, *, page_size: int = 10000) -> list[dict[str, Any]]:
        """Every member as `{userid, department}`, by cursor paging over `user/list_id`.

        Needs the contacts-sync (通讯录同步) secret: build a second client with it.
        """
        return list(self._iter_user_ids(page_size))

    def _iter_user_ids(self, page_size: int) -> Iterator[dict[str, Any]]:
        cursor = ""
        seen: set[str] = set()
        while True:
            body: dict[str, Any] = {"limit": page_size}
            if cursor:
                body["cursor"] = cursor
            data = self._call("POST", "user/list_id", json_body=body)
            yield from data.get("dept_user", [])
            cursor = str(data.get("next_cursor") or "")
            if not cursor:
                return
            if cursor in seen:
                raise WeComApiError(0, f"user/list_id repeated cursor {cursor!r}", "user/list_id", conn_id=self.conn_id)
            seen.add(cursor)

    def disable_user(self, userid: str) -> None:
        """Disable a member (`user/update` with enable=0).

        This changes the company directory: callers must check that the policy explicitly
        allows it before calling. Needs a secret with contacts write permission.
        """
        self._call("POST", "user/update", json_body={"userid": userid, "enable": 0})

    # --- meetings and check-in ---------------------------------------------------------

    def get_meeting_info(self, meetingid: str) -> dict[str, Any]:
        return self._call("POST", "meeting/get_info", json_body={"meetingid": meetingid})

    def get_user_meeting_ids(self, userid: str, begin: Timestamp, end: Timestamp) -> list[str]:
        """Meeting ids of `userid` in [begin, end] (only meetings this app created).

        Spans over 180 days are queried in pieces; each piece is cursor-paged.
        """
        start, stop = _epoch(begin), _epoch(end)
        ids: list[str] = []
        for piece_start, piece_end in _spans(start, stop, MEETING_MAX_SPAN_S):
            cursor = ""
            while True:
                body = {
                    "userid": userid, "cursor": cursor, "begin_time": piece_start,
                    "end_time": piece_end, "limit": MEETING_PAGE,
                }
                data = self._call("POST", "meeting/get_user_meetingid", json_body=body)
                for meetingid in data.get("meetingid_list", []):
                    if meetingid not in ids:
                        ids.append(meetingid)
                next_cursor = str(data.get("next_cursor") or "")
                if not next_cursor or next_cursor == cursor:
                    break
                cursor = next_cursor
        return ids

    def get_checkin_data(
        self, userids: Sequence[str], start: Timestamp, end: Timestamp, type: int = 3
    ) -> list[dict[str, Any]]:
        """Check-in records (type 1 commute, 2 outside, 3 all), in ≤100-user, ≤30-day calls."""
        begin, stop = _epoch(start), _epoch(end)
        users = list(dict.fromkeys(userids))
        records: list[dict[str, Any]] = []
        for piece_start, piece_end in _spans(begin, stop, CHECKIN_MAX_SPAN_S):
            for offset in range(0, len(users), CHECKIN_MAX_USERS):
                body = {
                    "opencheckindatatype": type, "starttime": piece_start, "endtime": piece_end,
                    "useridlist": users[offset : offset + CHECKIN_MAX_USERS],
                }
                data = self._call("POST", "checkin/getcheckindata", json_body=body)
                records.extend(data.get("checkindata", []))
        return records


def _spans(start: int, end: int, max_span: int) -> list[tuple[int, int]]:
    """[start, end] cut into non-overlapping inclusive pieces of at most `max_span` seconds."""
    if end < start:
        raise ValueError("end is before start")
    pieces = []
    cursor = start
    while cursor <= end:
        piece_end = min(cursor + max_span - 1, end)
        pieces.append((cursor, piece_end))
        cursor = piece_end + 1
    return pieces
