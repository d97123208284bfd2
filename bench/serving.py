"""Serve an ASGI app (the callback receiver) with uvicorn in a thread, on loopback."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any


class ServedApp:
    def __init__(self, app: Any, host: str = "127.0.0.1") -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind((host, 0))
            self.port = s.getsockname()[1]
        self.base_url = f"http://{host}:{self.port}"
        config = uvicorn.Config(app, host=host, port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="bench-receiver", daemon=True)

    def start(self, timeout_s: float = 10.0) -> ServedApp:
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> ServedApp:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
