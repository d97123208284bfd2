"""Configuration and the mutable runtime state of one simulated WeCom app."""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field
from typing import Any

from wecom_simulator.windows import MemberWindow, SlidingWindow

SEND_PATH = "/cgi-bin/message/send"


@dataclass
class SimConfig:
    """Every limit the simulator enforces; defaults are WeCom's (facts sheet §1-§6)."""

    token_ttl: int = 7200
    # Older docs: a gettoken inside the validity window returns the same token (sheet §1).
    refetch_returns_same_token: bool = True
    member_per_minute: int = 30
    member_per_hour: int = 1000
    # Per-API calls a minute for the corp; 0 exempts a path. Message sending does not count
    # against the base frequency (sheet §6); getcheckindata has its own 600/min.
    api_per_minute: dict[str, int] = field(
        default_factory=lambda: {"*": 10_000, SEND_PATH: 0, "/cgi-bin/checkin/getcheckindata": 600}
    )
    robot_per_minute: int = 20
    # Daily cap = seats x 200 person-times; seats=None means "as many seats as members".
    seats: int | None = None
    per_seat_per_day: int = 200
    max_touser: int = 1000
    max_toparty: int = 100
    max_totag: int = 100
    duplicate_check_default: int = 1800
    duplicate_check_max: int = 14_400
    response_code_ttl: int = 86_400
    recall_window: int = 86_400
    media_ttl: int = 3 * 86_400
    callback_timeout: float = 5.0
    max_request_bytes: int = 25 * 1024 * 1024
    # A network round trip: every API answer (not the /_sim/ admin API) leaves this many
    # seconds after its request arrived, outside the simulator's lock, so calls a client
    # makes concurrently overlap as they do against WeCom across the internet.
    latency_s: float = 0.0


@dataclass
class IssuedToken:
    value: str
    scope: str  # "app" or "contacts"
    issued_at: float
    expires_at: float
    revoked_errcode: int | None = None


@dataclass
class SentMessage:
    msgid: str
    body: dict[str, Any]  # the delivered view, shared by every recipient's inbox
    recipients: list[str]
    dropped: list[str]
    sent_at: float
    request: dict[str, Any]


@dataclass
class CardRecord:
    task_id: str
    msgid: str
    card_type: str
    card: dict[str, Any]
    recipients: list[str]
    sent_at: float
    # member key -> the latest update applied to that member's copy
    states: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class ResponseCode:
    code: str
    task_id: str
    userid: str | None  # None: the code returned by message/send itself
    issued_at: float
    used_at: float | None = None


@dataclass
class UploadedMedia:
    media_id: str
    data: bytes
    filename: str
    media_type: str
    content_type: str
    created_at: float
    owner: str  # "app" or "robot:<key>"


@dataclass
class Robot:
    key: str
    window: SlidingWindow
    messages: list[dict[str, Any]] = field(default_factory=list)


class SimState:
    """Everything `reset()` clears (the directory, tokens and robot keys survive it)."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()
        self.errcodes: defaultdict[str, Counter[int]] = defaultdict(Counter)
        self.duplicates: Counter[str] = Counter()
        self.received: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.dropped: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.drop_counts: Counter[str] = Counter()
        self.messages: dict[str, SentMessage] = {}
        self.windows: dict[str, MemberWindow] = {}
        # blake2b(request JSON) -> (expires_at, response); `dup_order` prunes in time order
        self.dup_index: dict[bytes, tuple[float, dict[str, Any]]] = {}
        self.dup_order: deque[tuple[float, bytes]] = deque()
        self.daily: Counter[int] = Counter()
        self.api_windows: dict[str, SlidingWindow] = {}
        self.task_ids: set[str] = set()
        self.cards: dict[str, CardRecord] = {}
        self.response_codes: dict[str, ResponseCode] = {}
        self.card_updates: list[dict[str, Any]] = []
        self.recalled: list[str] = []
        self.media: dict[str, UploadedMedia] = {}
        self.user_updates: list[dict[str, Any]] = []
        self.log: deque[dict[str, Any]] = deque(maxlen=10_000)
