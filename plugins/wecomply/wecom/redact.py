"""Keep WeCom credentials out of logs and exception text.

The access_token (and the robot key, and gettoken's corpsecret) travel in the query string,
so any URL we log or put in an error goes through `scrub_url` first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"

# Query parameters that carry a credential on some WeCom endpoint.
SECRET_PARAMS = frozenset({"access_token", "corpsecret", "key", "secret", "provider_access_token"})

_PARAM_IN_TEXT = re.compile(
    r"((?:" + "|".join(sorted(SECRET_PARAMS)) + r")=)[^&\s'\"()]+", flags=re.IGNORECASE
)


def scrub_url(url: str) -> str:
    """Return `url` with every credential query value replaced by `***`."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = [
        (name, MASK if name.lower() in SECRET_PARAMS else value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit(parts._replace(query=urlencode(pairs, safe="*")))


def scrub_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask credential query values and any known secret value inside free text.

    Used on messages that come from libraries (e.g. a requests error that quotes the URL).
    """
    cleaned = _PARAM_IN_TEXT.sub(lambda m: m.group(1) + MASK, text)
    for secret in secrets:
        if secret:
            cleaned = cleaned.replace(secret, MASK)
    return cleaned


class ScrubCredentialsFilter(logging.Filter):
    """Masks credential query values in records of loggers we do not own.

    urllib3 logs every request line at DEBUG, query string included, which would put the
    access token (or gettoken's corpsecret, or a robot key) into the logs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub_text(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTERED_LOGGERS = ("urllib3.connectionpool",)


def install_log_scrubbing() -> None:
    """Attach `ScrubCredentialsFilter` to the HTTP library's loggers (idempotent).

    Called when a client is built, never at import time.
    """
    for name in _FILTERED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubCredentialsFilter) for f in logger.filters):
            logger.addFilter(ScrubCredentialsFilter())
