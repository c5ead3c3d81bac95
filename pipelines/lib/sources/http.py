"""Shared HTTP plumbing for the source clients: a retrying session, redaction and ``SourceError``.

Retries (backoff, ``Retry-After``, 429/5xx, connect and read timeouts) are urllib3's ``Retry``
mounted on a ``requests.Session``; nothing here loops by hand. Redirects are never followed: a
3xx from a data API means a bad key or endpoint and the clients report it.

Secrets: the Census key travels as the ``key`` query parameter, so every URL this module logs or
puts in an exception goes through :func:`redact` first. urllib3 itself logs request URLs at DEBUG
(and on retries); :func:`make_session` installs a filter on urllib3's loggers that redacts those
records too, so no log record carries a key.
"""

from __future__ import annotations

import inspect
import logging
import os
import uuid
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from pipelines.lib.errors import SourceError, redact

LOGGER = logging.getLogger("pipelines.http")

RETRY_STATUSES = (429, 500, 502, 503, 504)
# The longest Retry-After we honour; a server asking for more gets this many seconds.
MAX_RETRY_AFTER = 300.0

_URLLIB3_LOGGERS = (
    "urllib3.connectionpool",
    "urllib3.connection",
    "urllib3.response",
    "urllib3.util.retry",
    "urllib3.poolmanager",
)


class _RedactingFilter(logging.Filter):
    """Rewrites a record's message with :func:`redact` (urllib3 logs full request URLs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record: leave it to logging's own error handling
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True


_FILTER = _RedactingFilter()


def install_log_redaction() -> None:
    """Attach the redacting filter to urllib3's loggers (idempotent)."""
    for name in _URLLIB3_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


class _CappedRetry(Retry):
    """``Retry`` whose ``Retry-After`` waits are capped at :data:`MAX_RETRY_AFTER` seconds."""

    def get_retry_after(self, response):  # type: ignore[no-untyped-def]
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER)


def make_retry(retries: int = 4, backoff_factor: float = 1.0, backoff_max: float = 60.0) -> Retry:
    """The retry policy: GET only, 429/5xx and connect/read failures, honouring Retry-After."""
    kwargs: dict[str, object] = dict(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        redirect=0,
        raise_on_redirect=False,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        backoff_max=backoff_max,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    if "retry_after_max" in inspect.signature(Retry.__init__).parameters:  # urllib3 >= 2.6
        kwargs["retry_after_max"] = MAX_RETRY_AFTER
    return _CappedRetry(**kwargs)  # type: ignore[arg-type]


def make_session(
    retries: int = 4,
    backoff_factor: float = 1.0,
    backoff_max: float = 60.0,
    user_agent: str = "tariff-audit/0.1",
) -> requests.Session:
    """A ``requests.Session`` with :func:`make_retry` mounted on http:// and https://."""
    install_log_redaction()
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=make_retry(retries, backoff_factor, backoff_max))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = user_agent
    session.headers["Accept"] = "application/json"
    return session


def get(
    session: requests.Session,
    url: str,
    *,
    source: str,
    timeout: float | tuple[float, float],
    secret: str | None = None,
    stream: bool = False,
) -> requests.Response:
    """GET ``url`` without following redirects, logging only its redacted form.

    Failures that outlast the session's retries become a :class:`SourceError` (``transient``
    per :func:`is_transient`); the original exception, whose text holds the raw URL, is not
    chained.
    """
    shown = redact(url, secret)
    LOGGER.info("GET %s", shown)
    try:
        response = session.get(url, timeout=timeout, allow_redirects=False, stream=stream)
    except requests.RequestException as exc:
        transient = is_transient(exc)
        what = "no answer after retries" if transient else "request failed"
        problem = f"{what} ({type(exc).__name__}: {redact(exc, secret)})"
        LOGGER.warning("%s: %s (%s)", source, problem, shown)
        raise SourceError(source, shown, problem, field="status", transient=transient) from None
    LOGGER.debug(
        "%s answered HTTP %s (%s) for %s",
        source,
        response.status_code,
        response.headers.get("Content-Type", "no content type"),
        shown,
    )
    return response


def is_transient(exc: BaseException) -> bool:
    """True for failures a smaller or later request may avoid: read timeouts and connections the
    server dropped mid-answer. Refused connections, DNS and TLS failures are not transient."""
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ConnectTimeout):
        return False
    if isinstance(exc, requests.Timeout | requests.exceptions.ChunkedEncodingError):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        return isinstance(reason, ReadTimeoutError | ProtocolError)
    return False


def is_html(response: requests.Response, head: bytes) -> bool:
    """True when an answer is an HTML page (by Content-Type or a body starting with ``<``)."""
    content_type = response.headers.get("Content-Type", "").lower()
    if "html" in content_type:
        return True
    return head.lstrip()[:1] == b"<"


def body_excerpt(body: bytes, limit: int = 300) -> str:
    """The start of a body as one line of text, for error messages."""
    text = body.decode("utf-8", errors="replace").strip()
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def write_atomic(target: Path, body: bytes) -> None:
    """Write ``body`` to ``target`` through a hidden temp file in the same directory + rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    try:
        tmp.write_bytes(body)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
