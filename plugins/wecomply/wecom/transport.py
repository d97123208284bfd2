"""One HTTP exchange with WeCom, and the bounded retry loop around it.

Shared by the app client and the robot webhook client. Every response's `errcode` is
checked (WeCom reports most failures with HTTP 200). Library exceptions are never chained
into ours: their text quotes the URL, whose query string holds the access token or robot
key, so we keep only a scrubbed description.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError

from wecomply.wecom.errors import (
    WeComApiError,
    WeComError,
    WeComRateLimited,
    WeComSendInDoubt,
    WeComTransientError,
    api_error,
)
from wecomply.wecom.redact import install_log_scrubbing, scrub_text, scrub_url

log = logging.getLogger("wecomply.wecom")

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter, for transient and rate-limit kinds only.

    `max_attempts` counts the first try (WeCom advises at most 3 retries for -1). A rate
    limit waits longer from the start, because WeCom's blocks last up to a minute.
    """

    max_attempts: int = 4
    initial_wait_s: float = 1.0
    rate_limited_initial_wait_s: float = 5.0
    max_wait_s: float = 30.0
    jitter_s: float = 1.0

    def wait_s(self, retry_number: int, exc: BaseException | None) -> float:
        base = (
            self.rate_limited_initial_wait_s
            if isinstance(exc, WeComRateLimited)
            else self.initial_wait_s
        )
        return min(self.max_wait_s, base * 2 ** (retry_number - 1)) + random.uniform(0, self.jitter_s)


def retryable(exc: BaseException, endpoint: str) -> bool:
    """Transient and rate-limit failures of `endpoint` itself.

    A failure of another endpoint inside the attempt (gettoken) was already retried by
    that endpoint's own loop; retrying it again here would multiply the attempts.
    """
    return isinstance(exc, (WeComTransientError, WeComRateLimited)) and exc.endpoint == endpoint


def _connect_failed(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached the server."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason: object = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return isinstance(reason, (NewConnectionError, ConnectTimeoutError))


def _session_for(base_url: str) -> requests.Session:
    """A session with the environment's proxy and CA settings resolved once for `base_url`.

    With `trust_env` on, requests re-reads them on every request, scanning the whole
    environment twice (~0.5 ms with Airflow's, a minute over 100k result messages). They
    cannot change while a task runs, and a transport only ever talks to one host.
    """
    session = requests.Session()
    settings = session.merge_environment_settings(base_url, {}, None, None, None)
    session.trust_env = False
    session.proxies.update(settings["proxies"])
    session.verify = settings["verify"]
    return session


class Transport:
    def __init__(
        self,
        base_url: str,
        *,
        conn_id: str,
        session: requests.Session | None,
        timeout: float,
        retry: RetryPolicy,
        sleep: Callable[[float], None] = time.sleep,
        secrets: Callable[[], Iterable[str]] = lambda: (),
    ) -> None:
        install_log_scrubbing()
        self.base_url = base_url.rstrip("/")
        self.conn_id = conn_id
        self.session = session or _session_for(self.base_url)
        self.timeout = timeout
        self.retry = retry
        self.sleep = sleep
        self._secrets = secrets

    def exchange(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any],
        data: bytes | None = None,
        files: Mapping[str, Any] | None = None,
        endpoint: str | None = None,
    ) -> dict[str, Any]:
        """One request; returns the JSON body or raises a typed error (errcode != 0 included)."""
        endpoint = endpoint or path
        url = f"{self.base_url}/cgi-bin/{path}"
        headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
        failure: WeComError | None = None
        response: requests.Response | None = None
        try:
            response = self.session.request(
                method, url, params=dict(params), data=data, files=files, headers=headers,
                timeout=self.timeout, allow_redirects=False,
            )
        except requests.RequestException as exc:
            reason = scrub_text(f"{type(exc).__name__}: {exc}", self._secrets())
            if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
                failure = WeComTransientError(
                    None, reason, endpoint, conn_id=self.conn_id,
                    may_have_left=not _connect_failed(exc),
                )
            else:
                failure = WeComApiError(None, reason, endpoint, conn_id=self.conn_id)
        if failure is not None:
            # Raised outside the except block so the library error (URL and token) is not chained.
            log.warning("WeCom %s %s failed: %s", method, endpoint, failure)
            raise failure
        assert response is not None
        log.debug("WeCom %s %s -> HTTP %s", method, scrub_url(response.url), response.status_code)
        status = response.status_code
        if status >= 500:
            raise WeComTransientError(
                None, f"HTTP {status}", endpoint, conn_id=self.conn_id, http_status=status,
                may_have_left=True,
            )
        if status >= 300:
            raise WeComApiError(
                None, f"unexpected HTTP {status}", endpoint, conn_id=self.conn_id, http_status=status
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            # A proxy or gateway answered instead of WeCom; the request may have been handled.
            raise WeComTransientError(
                None, "response is not a JSON object", endpoint, conn_id=self.conn_id,
                http_status=status, may_have_left=True,
            )
        errcode = body.get("errcode", 0)
        if errcode != 0:
            errmsg = scrub_text(str(body.get("errmsg", "")), self._secrets())
            raise api_error(int(errcode), errmsg, endpoint, conn_id=self.conn_id, response=body)
        return body

    def run(
        self,
        attempt: Callable[[], T],
        *,
        endpoint: str,
        send: bool = False,
        duplicate_check: bool = False,
    ) -> T:
        """Call `attempt` with bounded retries.

        For a send (`send=True`), a failure after which the request may have reached WeCom
        is retried only under `duplicate_check` (WeCom then delivers it at most once);
        otherwise, and whenever retries run out after such a failure, `WeComSendInDoubt`.
        """
        maybe_sent = False

        def guarded() -> T:
            nonlocal maybe_sent
            try:
                return attempt()
            except WeComTransientError as exc:
                if send and exc.may_have_left:
                    if not duplicate_check:
                        raise WeComSendInDoubt(
                            endpoint, str(exc), duplicate_check=False, conn_id=self.conn_id
                        ) from exc
                    maybe_sent = True
                raise

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning(
                "WeCom %s attempt %d failed (%s); retrying in %.1fs",
                endpoint, state.attempt_number, exc,
                state.next_action.sleep if state.next_action else 0.0,
            )

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            return self.retry.wait_s(state.attempt_number, exc)

        retrying = Retrying(
            stop=stop_after_attempt(self.retry.max_attempts),
            wait=wait,
            retry=retry_if_exception(lambda exc: retryable(exc, endpoint)),
            sleep=self.sleep,
            before_sleep=before_sleep,
            reraise=True,
        )
        try:
            return retrying(guarded)
        except WeComSendInDoubt:
            raise
        except WeComError as exc:
            if send and maybe_sent:
                raise WeComSendInDoubt(
                    endpoint, str(exc), duplicate_check=duplicate_check, conn_id=self.conn_id
                ) from exc
            raise
