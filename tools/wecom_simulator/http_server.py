"""A threaded loopback HTTP/1.1 server (keep-alive, TCP_NODELAY, one write per response).

Request logging is off on purpose: the query string carries the access_token.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from wecom_simulator.http_types import Outcome, Request

if TYPE_CHECKING:
    from wecom_simulator.simulator import WeComSimulator


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    global _date_cache
    second = int(time.time())
    if _date_cache[0] != second:
        _date_cache = (second, formatdate(second, usegmt=True))
    return _date_cache[1]


class SimHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], sim: WeComSimulator) -> None:
        self.sim = sim
        self.stopping = threading.Event()
        self._conn_lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._resets: set[int] = set()
        super().__init__(address, SimRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def mark_reset(self, sock: socket.socket) -> None:
        # SO_LINGER 0 turns close() into a TCP RST: the client sees "connection reset".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with self._conn_lock:
            self._resets.add(id(sock))

    def shutdown_request(self, request: Any) -> None:
        with self._conn_lock:
            self._connections.discard(request)
            reset = id(request) in self._resets
            self._resets.discard(id(request))
        if reset:
            request.close()
        else:
            super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._conn_lock:
            connections = list(self._connections)
        for sock in connections:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class SimRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    server: SimHTTPServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def handle_one_request(self) -> None:
        # A lean HTTP/1.1 reader: the stdlib's email-based header parser costs more than
        # the simulated API itself, and the benchmarks push 100k requests through here.
        try:
            line = self.rfile.readline(65_537)
        except (TimeoutError, OSError):
            self.close_connection = True
            return
        if not line:
            self.close_connection = True
            return
        parts = line.decode("latin-1").split()
        if len(line) > 65_536 or len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            self.close_connection = True
            self._write(Outcome(status=400, body=b"bad request", content_type="text/plain"))
            return
        method, target, version = parts
        headers: dict[str, str] = {}
        while True:
            raw = self.rfile.readline(65_537)
            if raw in (b"\r\n", b"\n", b""):
                break
            if len(headers) >= 100:
                self.close_connection = True
                self._write(Outcome(status=431, body=b"too many headers", content_type="text/plain"))
                return
            key, _, value = raw.decode("latin-1").partition(":")
            headers[key.strip().lower()] = value.strip()
        connection = headers.get("connection", "").lower()
        self.close_connection = connection == "close" or (version == "HTTP/1.0" and connection != "keep-alive")
        if method not in ("GET", "POST"):
            self._write(Outcome(status=405, body=b"method not allowed", content_type="text/plain"))
            return
        self._serve(method, target, headers)

    def _serve(self, method: str, target: str, headers: dict[str, str]) -> None:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self.close_connection = True
            self._write(Outcome(status=411, body=b"length required", content_type="text/plain"))
            return
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > self.server.sim.config.max_request_bytes:
            self.close_connection = True
            self._write(Outcome(status=413, body=b"request entity too large", content_type="text/plain"))
            return
        body = self.rfile.read(length) if length else b""
        path, _, raw_query = target.partition("?")
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        outcome = self.server.sim.handle(Request(method, path, query, body, headers))
        if outcome.hold:
            self.server.stopping.wait(outcome.hold)
        if outcome.action == "reset":
            self.close_connection = True
            self.server.mark_reset(self.connection)
            return
        if outcome.action == "close" or self.server.stopping.is_set():
            self.close_connection = True
            return
        self._write(outcome)

    def _write(self, outcome: Outcome) -> None:
        try:
            reason = HTTPStatus(outcome.status).phrase
        except ValueError:
            reason = "Error"
        head = (
            f"HTTP/1.1 {outcome.status} {reason}\r\n"
            f"Server: nginx\r\n"
            f"Date: {_http_date()}\r\n"
            f"Content-Type: {outcome.content_type}\r\n"
            f"Content-Length: {len(outcome.body)}\r\n"
            f"Connection: {'close' if self.close_connection else 'keep-alive'}\r\n\r\n"
        )
        try:
            self.wfile.write(head.encode("latin-1") + outcome.body)
        except OSError:
            # The client gave up (a held "timeout" response); nothing to deliver to.
            self.close_connection = True
