"""`WeComSimulator`: a faithful, inspectable WeCom (企业微信) server on loopback.

Tests, the demo and the benchmarks point the real client at `sim.base_url`. The simulator
keeps WeCom's semantics (errcode on HTTP 200, silent truncation and per-member drops,
duplicate check, single-use response codes) and records what every member received.
"""

from __future__ import annotations

import base64
import dataclasses
import random
import secrets
import string
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from wecom_simulator import api_message, employees
from wecom_simulator.admin_api import handle_admin
from wecom_simulator.api_token import authorize
from wecom_simulator.clock import SimClock, as_clock
from wecom_simulator.crypto import CallbackCrypto, new_encoding_aes_key
from wecom_simulator.directory import Department, Directory, User
from wecom_simulator.errcodes import (
    INVALID_TOKEN,
    INVALID_URL,
    IP_NOT_ALLOWED,
    RATE_LIMITED,
    ApiError,
    errmsg,
)
from wecom_simulator.faults import Fault, FaultPlan
from wecom_simulator.http_server import SimHTTPServer
from wecom_simulator.http_types import Outcome, Request, json_outcome
from wecom_simulator.messages import button_keys
from wecom_simulator.oa import Checkin, Meeting, OfficeRecords
from wecom_simulator.routing import NONE, ROUTES, Route
from wecom_simulator.state import IssuedToken, Robot, SimConfig, SimState, UploadedMedia
from wecom_simulator.windows import SlidingWindow

ADMIN_PREFIX = "/_sim/"
_ALNUM = string.ascii_letters + string.digits


class WeComSimulator:
    def __init__(
        self,
        corp_id: str | None = None,
        secret: str | None = None,
        agent_id: int = 1000002,
        token: str | None = None,
        encoding_aes_key: str | None = None,
        contacts_secret: str | None = None,
        *,
        seed: int = 0,
        clock: SimClock | Callable[[], float] | None = None,
        robot_keys: Iterable[str] | None = None,
        config: SimConfig | None = None,
        callback_url: str | None = None,
        admin_api: bool = True,
    ) -> None:
        # Credentials not given are derived from the seed, so a seeded demo is reproducible.
        creds = random.Random(f"wecom-simulator-credentials:{seed}")
        self.corp_id = corp_id or "ww" + "".join(creds.choice("0123456789abcdef") for _ in range(16))
        self.secret = secret or "".join(creds.choice(_ALNUM + "-_") for _ in range(43))
        self.contacts_secret = contacts_secret or "".join(creds.choice(_ALNUM + "-_") for _ in range(43))
        self.agent_id = int(agent_id)
        self.token = token or "".join(creds.choice(_ALNUM) for _ in range(32))
        self.encoding_aes_key = encoding_aes_key or new_encoding_aes_key(creds.randbytes(32))
        self.crypto = CallbackCrypto(self.token, self.encoding_aes_key, self.corp_id)
        self.callback_url = callback_url
        self.admin_api = admin_api
        self.seed = seed
        self.clock = as_clock(clock)
        self.config = config or SimConfig()
        self.faults = FaultPlan()
        self.directory = Directory()
        self.office = OfficeRecords()
        self.state = SimState()
        # Switches for configuration errors a client must report rather than retry.
        self.app_enabled = True
        self.trusted_ip = True
        self.tokens: dict[str, IssuedToken] = {}
        self.current_tokens: dict[str, IssuedToken] = {}
        self.robots: dict[str, Robot] = {}
        self.callbacks: list[employees.CallbackDelivery] = []
        self._ids = random.Random(seed)
        self._lock = threading.RLock()
        self._server: SimHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""
        keys = list(robot_keys) if robot_keys is not None else [self._robot_key(creds)]
        for key in keys:
            self.add_robot(key)

    def __repr__(self) -> str:
        return f"WeComSimulator(corp_id={self.corp_id!r}, base_url={self.base_url!r})"

    # -- lifecycle ---------------------------------------------------------------------
    def start(self, host: str = "127.0.0.1", port: int = 0) -> WeComSimulator:
        if self._server is not None:
            raise RuntimeError("the simulator is already running")
        server = SimHTTPServer((host, port), self)
        self._server = server
        bound_host, bound_port = server.server_address[:2]
        self.base_url = f"http://{bound_host}:{bound_port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="wecom-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> WeComSimulator:
        if not self.running:
            self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- ids ---------------------------------------------------------------------------
    def new_id(self, kind: str) -> str:
        """Seeded ids (msgid, response_code, media_id) so runs are reproducible."""
        n = {"msg": 64, "rc": 43, "media": 60}.get(kind, 32)
        with self._lock:
            raw = self._ids.getrandbits(n * 6).to_bytes(n * 6 // 8 + 1, "big")
        return base64.urlsafe_b64encode(raw).decode("ascii")[:n]

    @staticmethod
    def _robot_key(rng: random.Random) -> str:
        hexdigits = "".join(rng.choice("0123456789abcdef") for _ in range(32))
        return f"{hexdigits[:8]}-{hexdigits[8:12]}-{hexdigits[12:16]}-{hexdigits[16:20]}-{hexdigits[20:]}"

    # -- directory ---------------------------------------------------------------------
    def add_department(self, id: int, name: str, parent_id: int = 1, *, order: int = 0) -> Department:
        with self._lock:
            return self.directory.add_department(id, name, parent_id, order=order)

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
        main_department: int | None = None,
    ) -> User:
        with self._lock:
            return self.directory.add_user(
                userid, name, department_ids, direct_leader=direct_leader, status=status,
                is_leader_in_dept=is_leader_in_dept, visible=visible, position=position,
                mobile=mobile, email=email, main_department=main_department,
            )

    def set_user_status(self, userid: str, status: int) -> None:
        with self._lock:
            self.directory.set_user_status(userid, status)

    def set_user_visible(self, userid: str, visible: bool) -> None:
        with self._lock:
            self.directory.set_visible(userid, visible)

    def remove_user(self, userid: str) -> None:
        with self._lock:
            self.directory.remove_user(userid)

    def add_tag(self, tagid: int, tagname: str, userids: Iterable[str] = (), partyids: Iterable[int] = ()) -> None:
        with self._lock:
            self.directory.add_tag(tagid, tagname, userids, partyids)

    def load_directory(self, data: dict[str, Any]) -> None:
        """Load departments, users, tags, meetings and check-ins from plain data (see README)."""
        with self._lock:
            self.directory.load(data)
            for meeting in data.get("meetings", []) or []:
                self.add_meeting(**meeting)
            for checkin in data.get("checkins", []) or []:
                self.add_checkin(**checkin)

    def add_meeting(
        self,
        *,
        admin_userid: str,
        title: str,
        start: int,
        duration: int,
        invitees: Iterable[str] = (),
        status: int = 1,
        meetingid: str | None = None,
        description: str = "",
        location: str = "",
        created_by_app: bool = True,
        attended: dict[str, int] | None = None,
    ) -> str:
        with self._lock:
            meeting = Meeting(
                meetingid=meetingid or self.new_id("meeting"),
                admin_userid=admin_userid,
                title=title,
                start=int(start),
                duration=int(duration),
                invitees=list(invitees),
                status=status,
                description=description,
                location=location,
                created_by_app=created_by_app,
                attended=dict(attended or {}),
                meeting_code=str(100_000_000 + len(self.office.meetings)),
            )
            return self.office.add_meeting(meeting).meetingid

    def add_checkin(
        self,
        userid: str,
        checkin_time: int,
        *,
        checkin_type: str = "上班打卡",
        exception_type: str = "",
        location_title: str = "",
        notes: str = "",
        sch_checkin_time: int | None = None,
    ) -> None:
        with self._lock:
            self.office.add_checkin(
                Checkin(
                    userid=userid, checkin_time=int(checkin_time), checkin_type=checkin_type,
                    exception_type=exception_type, location_title=location_title, notes=notes,
                    sch_checkin_time=sch_checkin_time,
                )
            )

    def add_robot(self, key: str | None = None) -> str:
        with self._lock:
            key = key or secrets.token_hex(16)
            self.robots[key] = Robot(key=key, window=SlidingWindow(60.0, self.config.robot_per_minute))
            return key

    @property
    def robot_keys(self) -> list[str]:
        return list(self.robots)

    # -- limits and control ------------------------------------------------------------
    def daily_cap(self) -> int:
        seats = self.config.seats if self.config.seats is not None else max(1, len(self.directory.users))
        return seats * self.config.per_seat_per_day

    def set_rate_limit(self, path: str, per_minute: int) -> None:
        """Calls a minute allowed on `path` before 45009 (0 exempts it; "*" is the default)."""
        with self._lock:
            self.config.api_per_minute[path] = per_minute
            self.state.api_windows.pop(path, None)

    def revoke_tokens(self, errcode: int = INVALID_TOKEN) -> int:
        """Invalidate every issued token now (WeCom may do so early); return how many."""
        with self._lock:
            live = [t for t in self.tokens.values() if t.revoked_errcode is None]
            for token in live:
                token.revoked_errcode = errcode
            self.current_tokens.clear()
            return len(live)

    def issued_tokens(self, scope: str | None = None) -> int:
        with self._lock:
            return sum(1 for t in self.tokens.values() if scope is None or t.scope == scope)

    def reset(self, *, tokens: bool = False) -> None:
        """Clear messages, counters, faults, cards and media; keep the directory and robots."""
        with self._lock:
            self.state = SimState()
            self.faults.reset()
            self.callbacks.clear()
            for robot in self.robots.values():
                robot.messages.clear()
                robot.window = SlidingWindow(60.0, self.config.robot_per_minute)
            if tokens:
                self.tokens.clear()
                self.current_tokens.clear()

    def media_usable(self, media_id: str, *, owner: str, now: float) -> bool:
        media = self.state.media.get(media_id)
        if media is None or now - media.created_at >= self.config.media_ttl:
            return False
        # App media is shared by the corp's apps; a robot's media only by that robot.
        return media.owner == owner or (owner == "app" and media.owner == "app")

    # -- request handling --------------------------------------------------------------
    def handle(self, req: Request) -> Outcome:
        if req.path.startswith(ADMIN_PREFIX) and self.admin_api:
            return handle_admin(self, req)
        outcome = self._answer(req)
        if self.config.latency_s:
            # Held by the HTTP server after the lock is released (see SimConfig.latency_s).
            outcome = dataclasses.replace(outcome, hold=outcome.hold + self.config.latency_s)
        return outcome

    def _answer(self, req: Request) -> Outcome:
        route = ROUTES.get(req.path)
        with self._lock:
            self.state.calls[req.path] += 1
        fault = self.faults.draw(req.path) if route is not None else None
        if fault is not None and not fault.after_processing:
            return self._faulted(fault, None)
        outcome = self._process(route, req)
        if fault is not None:
            return self._faulted(fault, outcome)
        return outcome

    def _process(self, route: Route | None, req: Request) -> Outcome:
        with self._lock:
            now = self.clock.now()
            try:
                if route is None:
                    raise ApiError(INVALID_URL, req.path)
                if req.method != route.method:
                    raise ApiError(43001 if route.method == "GET" else 43002, f"require {route.method} method")
                if not self.trusted_ip:
                    raise ApiError(IP_NOT_ALLOWED)
                self._check_api_rate(req.path, now)
                token = None if route.scope == NONE else authorize(self, route.scope, req.query, now)
                payload: dict[str, Any] = {"errcode": 0, "errmsg": "ok"}
                payload.update(route.handler(self, req, token, now))
            except ApiError as exc:
                payload = {"errcode": exc.errcode, "errmsg": errmsg(exc.errcode, exc.detail, now=now), **exc.extra}
            self._record(req.path, 200, int(payload["errcode"]))
        return json_outcome(payload)

    def _check_api_rate(self, path: str, now: float) -> None:
        limits = self.config.api_per_minute
        limit = limits.get(path, limits.get("*", 0))
        if not limit:
            return
        window = self.state.api_windows.get(path)
        if window is None or window.limit != limit:
            window = self.state.api_windows[path] = SlidingWindow(60.0, limit)
        if not window.try_add(now):
            raise ApiError(RATE_LIMITED)

    def _record(self, path: str, status: int, errcode: int | None, fault: str | None = None) -> None:
        state = self.state
        if status != 200 or errcode:
            state.errors[path] += 1
        if errcode is not None:
            state.errcodes[path][errcode] += 1
        state.log.append({"time": self.clock.now(), "path": path, "status": status, "errcode": errcode, "fault": fault})

    def _faulted(self, fault: Fault, processed: Outcome | None) -> Outcome:
        with self._lock:
            if fault.kind == "revoke_token":
                self.revoke_tokens()
                self._record(fault.path, 200, INVALID_TOKEN, fault.kind)
                return json_outcome({"errcode": INVALID_TOKEN, "errmsg": errmsg(INVALID_TOKEN, now=self.clock.now())})
            if fault.errcode is not None:
                self._record(fault.path, 200, fault.errcode, fault.kind)
                return json_outcome({"errcode": fault.errcode, "errmsg": errmsg(fault.errcode, now=self.clock.now())})
            if fault.http_status is not None:
                self._record(fault.path, fault.http_status, None, fault.kind)
                body = f"<html><body><h1>{fault.http_status}</h1>nginx</body></html>".encode()
                return Outcome(status=fault.http_status, body=body, content_type="text/html")
            self._record(fault.path, 0, None, fault.kind)
        if fault.kind == "reset":
            return Outcome(action="reset")
        # "timeout": hold longer than the client waits; if processed, answer late anyway.
        if processed is None:
            return Outcome(action="close", hold=fault.hold)
        processed.hold = fault.hold
        return processed

    # -- inspection --------------------------------------------------------------------
    def received(self, userid: str) -> list[dict[str, Any]]:
        """Messages delivered to `userid`, in order (each a copy of the delivered body)."""
        with self._lock:
            return [dict(m) for m in self.state.received.get(userid.lower(), [])]

    def dropped(self, userid: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self.state.dropped.get(userid.lower(), [])]

    def drops(self, userid: str | None = None) -> int:
        with self._lock:
            counts = self.state.drop_counts
            return sum(counts.values()) if userid is None else counts.get(userid.lower(), 0)

    def calls(self, path: str | None = None) -> int:
        with self._lock:
            calls = self.state.calls
            return sum(calls.values()) if path is None else calls.get(path, 0)

    def calls_by_path(self) -> dict[str, int]:
        """Every endpoint's call count so far (a copy)."""
        with self._lock:
            return dict(self.state.calls)

    def errors(self, path: str | None = None) -> int:
        with self._lock:
            errors = self.state.errors
            return sum(errors.values()) if path is None else errors.get(path, 0)

    def errcodes(self, path: str | None = None) -> Counter[int]:
        with self._lock:
            if path is not None:
                return Counter(self.state.errcodes.get(path, Counter()))
            total: Counter[int] = Counter()
            for counter in self.state.errcodes.values():
                total.update(counter)
            return total

    def duplicates(self, path: str = "/cgi-bin/message/send") -> int:
        """Sends answered from the duplicate check instead of being delivered again."""
        with self._lock:
            return self.state.duplicates.get(path, 0)

    def message(self, msgid: str) -> dict[str, Any]:
        """A sent message: its delivered body, recipients and the members it was dropped for."""
        with self._lock:
            sent = self.state.messages[msgid]
            return {**sent.body, "recipients": list(sent.recipients), "dropped": list(sent.dropped),
                    "request": sent.request}

    def stats(self) -> dict[str, Any]:
        """Counters per path, for dashboards and the `/_sim/stats` admin call."""
        with self._lock:
            state = self.state
            return {
                "calls": dict(state.calls),
                "errors": dict(state.errors),
                "drops": sum(state.drop_counts.values()),
                "sent": len(state.messages),
                "duplicates": dict(state.duplicates),
                "recalled": list(state.recalled),
                "card_updates": len(state.card_updates),
                "faults_injected": len(self.faults.injected),
                "now": self.clock.now(),
            }

    def sent_count(self) -> int:
        with self._lock:
            return len(self.state.messages)

    def recipients_reached(self) -> int:
        """Members reached over all sent messages: one message to 40 people counts 40."""
        with self._lock:
            return sum(len(sent.recipients) for sent in self.state.messages.values())

    def robot_messages(self, key: str) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self.robots[key].messages]

    def uploaded_media(self, media_id: str) -> UploadedMedia:
        with self._lock:
            return self.state.media[media_id]

    def card_updates(self, task_id: str | None = None, userid: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                dict(u) for u in self.state.card_updates
                if (task_id is None or u["task_id"] == task_id)
                and (userid is None or userid.lower() in u["userids"])
            ]

    def card_state(self, task_id: str, userid: str) -> dict[str, Any]:
        """What `userid` now sees of card `task_id`: the card, plus the last update if any."""
        with self._lock:
            card = self.state.cards[task_id]
            update = card.states.get(userid.lower())
            return {
                "task_id": task_id,
                "card_type": card.card_type,
                "template_card": (update or {}).get("template_card", card.card),
                "replace_name": (update or {}).get("replace_name"),
                "updated": update is not None,
            }

    @property
    def recalled(self) -> list[str]:
        with self._lock:
            return list(self.state.recalled)

    def user_updates(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(u) for u in self.state.user_updates]

    def request_log(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.state.log)

    # -- the employees -----------------------------------------------------------------
    def click(
        self,
        userid: str,
        task_id: str,
        button_key: str,
        callback_url: str | None = None,
        *,
        tamper: str | None = None,
        retries: int = 0,
        timeout: float | None = None,
        selected_items: dict[str, list[str]] | None = None,
        strict: bool = True,
    ) -> int:
        """Send the real encrypted `template_card_event` for a button click; return the HTTP
        status of the last attempt (0 when no response arrived). Non-200 answers are retried
        up to `retries` times with the same event, as WeCom does."""
        url = callback_url or self.callback_url
        if not url:
            raise ValueError("click needs a callback_url (or set sim.callback_url)")
        with self._lock:
            now = self.clock.now()
            card = self.state.cards.get(task_id)
            if strict:
                if card is None:
                    raise ValueError(f"no card with task_id {task_id!r} was sent")
                if userid.lower() not in card.recipients:
                    raise ValueError(f"card {task_id!r} was not sent to {userid!r}")
                if button_key not in button_keys(card.card):
                    raise ValueError(f"card {task_id!r} has no button with key {button_key!r}")
            response_code = api_message.issue_response_code(self, task_id, userid.lower(), now) if card else self.new_id("rc")
            user = self.directory.get(userid)
            event = {
                "ToUserName": self.corp_id,
                "FromUserName": user.userid if user else userid,
                "CreateTime": int(now),
                "MsgType": "event",
                "Event": "template_card_event",
                "EventKey": button_key,
                "TaskId": task_id,
                "CardType": card.card_type if card else "button_interaction",
                "ResponseCode": response_code,
                "AgentID": self.agent_id,
            }
        plaintext = employees.event_xml(event, selected_items).encode("utf-8")
        delivery = employees.CallbackDelivery(url=url, kind="event", plaintext=plaintext, event=event, tamper=tamper)
        with self._lock:
            self.callbacks.append(delivery)
        return self._deliver(delivery, retries=retries, timeout=timeout)

    def resend(
        self,
        delivery: employees.CallbackDelivery | None = None,
        *,
        exact: bool = False,
        tamper: str | None = None,
        timeout: float | None = None,
    ) -> int:
        """Send an event again: freshly signed like a WeCom retry, or `exact=True` to replay the
        identical query and body (a replay attack). Defaults to the last callback."""
        with self._lock:
            if delivery is None:
                if not self.callbacks:
                    raise ValueError("no callback has been sent yet")
                delivery = self.callbacks[-1]
        wait = self.config.callback_timeout if timeout is None else timeout
        if exact:
            attempt = employees.http_call("POST", delivery.url, delivery.query, delivery.body, wait)
            delivery.attempts.append(attempt)
            return attempt.status
        if tamper is not None:
            delivery.tamper = tamper
        return self._deliver(delivery, retries=0, timeout=timeout)

    def _deliver(self, delivery: employees.CallbackDelivery, *, retries: int, timeout: float | None) -> int:
        wait = self.config.callback_timeout if timeout is None else timeout
        for _ in range(retries + 1):
            delivery.query, delivery.body = employees.signed_request(
                self.crypto, delivery.plaintext, corp_id=self.corp_id, agent_id=self.agent_id,
                now=self.clock.now(), tamper=delivery.tamper,
            )
            attempt = employees.http_call("POST", delivery.url, delivery.query, delivery.body, wait)
            delivery.attempts.append(attempt)
            if attempt.status == 200:
                break
        return delivery.status

    def verify_url(
        self, callback_url: str | None = None, *, tamper: str | None = None, timeout: float = 1.0
    ) -> employees.UrlVerification:
        """WeCom's GET URL check: the receiver must answer with the decrypted echostr alone."""
        url = callback_url or self.callback_url
        if not url:
            raise ValueError("verify_url needs a callback_url (or set sim.callback_url)")
        expected = str(secrets.randbelow(10**19))
        timestamp = int(self.clock.now())
        if tamper == "stale_timestamp":
            timestamp -= employees.STALE_SECONDS
        elif tamper is not None and tamper not in ("bad_signature", "wrong_receiveid"):
            raise ValueError("verify_url supports tamper=bad_signature, wrong_receiveid or stale_timestamp")
        receive_id = "wwsimulatorwrongcorp" if tamper == "wrong_receiveid" else self.corp_id
        echostr = self.crypto.encrypt(expected, receive_id=receive_id)
        nonce = str(secrets.randbelow(10**10))
        signature = self.crypto.sign(str(timestamp), nonce, echostr)
        if tamper == "bad_signature":
            signature = ("0" if signature[0] != "0" else "1") + signature[1:]
        query = {"msg_signature": signature, "timestamp": str(timestamp), "nonce": nonce, "echostr": echostr}
        attempt = employees.http_call("GET", url, query, b"", timeout)
        return employees.UrlVerification(
            status=attempt.status,
            ok=attempt.status == 200 and attempt.body == expected.encode("ascii"),
            expected=expected,
            body=attempt.body,
            elapsed=attempt.elapsed,
        )
