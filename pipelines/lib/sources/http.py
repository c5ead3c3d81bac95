"""Shared HTTP plumbing for the source clients: a retrying session, one answer policy,
redaction and ``SourceError``.

The answer policy is one place for every client: :func:`judge` (a status) and
:func:`judge_failure` (a request that got no answer) give a :class:`Verdict`:

- ``LATER``: 429, any status with ``Retry-After``, a connection refused or timed out: the same
  request may succeed later (never split into smaller ones);
- ``SMALLER``: other 5xx, a read timeout, a connection dropped mid-answer: the server may be
  failing on the size of the request; a smaller one (or a later one) may succeed;
- ``FINAL``: 3xx, 4xx, TLS failures: asking again changes nothing.

The session retries ``LATER`` and ``SMALLER`` (urllib3's ``Retry`` mounted on a
``requests.Session``, backoff and ``Retry-After``; nothing here loops by hand). What is still a
failure after the retries becomes a :class:`SourceError` carrying the verdict, raised by
:func:`get` (no answer) or :func:`check_answer` (an answer the client cannot read: a redirect, an
error status, an HTML page). Redirects are never followed: a 3xx from a data API means a bad key
or endpoint. A client that can split its request (Census) does so only on ``SMALLER``.

Waits are visible and bounded: a ``Retry-After``, a backoff or an answer slow to come says what
it waits for (source and redacted request) and until when, again at least every 30 s
(:mod:`pipelines.lib.waiting`), and every request of a run shares one time budget
(``TARIFF_AUDIT_HTTP_BUDGET``, restarted by each run's source resource): past it the request
ends in a :class:`SourceError` naming the source and the request.

Secrets: the Census key travels as the ``key`` query parameter, so every URL this module logs or
puts in an exception goes through :func:`redact` first. urllib3 itself logs request URLs at DEBUG
(and on retries); :func:`make_session` installs a filter on urllib3's loggers that redacts those
records too, so no log record carries a key.
"""

from __future__ import annotations

import inspect
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from pipelines.lib import settings
from pipelines.lib.errors import SourceError, Verdict, redact
from pipelines.lib.waiting import PROGRESS_EVERY, Deadline, Wait, WaitBudgetExceeded, clock

LOGGER = logging.getLogger("pipelines.http")

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


BUDGET_SETTING = "TARIFF_AUDIT_HTTP_BUDGET"
_budget: Deadline | None = None
_current = threading.local()  # the Wait of the request this thread is making


def reset_budget(seconds: float | None = None) -> Deadline:
    """Start the time budget of a run's requests (``TARIFF_AUDIT_HTTP_BUDGET`` seconds unless
    ``seconds``); called when a run sets up its source resource."""
    global _budget
    _budget = Deadline(seconds if seconds is not None else settings.value("http_budget"),
                       BUDGET_SETTING)
    return _budget


def budget() -> Deadline:
    return _budget if _budget is not None else reset_budget()


class _CappedRetry(Retry):
    """``Retry`` that retries what :func:`judge` says may succeed again, whose ``Retry-After``
    waits are capped at :data:`MAX_RETRY_AFTER` seconds and whose sleeps say what they wait for
    and until when, within the run's time budget."""

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        return self._is_method_retryable(method) and judge(status_code, has_retry_after) in (
            Verdict.LATER, Verdict.SMALLER)

    def get_retry_after(self, response):  # type: ignore[no-untyped-def]
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, MAX_RETRY_AFTER)

    def sleep(self, response=None) -> None:  # type: ignore[no-untyped-def]
        seconds, reason = None, ""
        if self.respect_retry_after_header and response is not None:
            seconds = self.get_retry_after(response)
            reason = f"Retry-After {seconds:.0f} s on HTTP {response.status}" if seconds else ""
        if seconds is None:
            seconds = self.get_backoff_time()
            last = self.history[-1] if self.history else None
            why = (f"HTTP {last.status}" if last is not None and last.status else
                   type(last.error).__name__ if last is not None and last.error else "a failure")
            reason = f"retry {len(self.history)} after {why}"
        wait = getattr(_current, "wait", None)
        if seconds <= 0:  # urllib3's first retry does not back off: say it all the same
            if wait is not None:
                wait.say(f"retrying {wait.what} at once ({reason})")
            return
        if wait is None:
            time.sleep(seconds)
            return
        wait.sleep(seconds, f" ({reason})")


def make_retry(retries: int = 4, backoff_factor: float = 1.0, backoff_max: float = 60.0) -> Retry:
    """The retry policy: GET only, what :func:`judge` does not call final and connect/read
    failures, honouring Retry-After."""
    kwargs: dict[str, object] = dict(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        redirect=0,
        raise_on_redirect=False,
        allowed_methods=frozenset({"GET"}),
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

    Failures that outlast the session's retries become a :class:`SourceError` (its verdict from
    :func:`judge_failure`); the original exception, whose text holds the raw URL, is not
    chained. The answer, whatever its status, is returned: :func:`check_answer` judges it.
    """
    shown = redact(url, secret)
    LOGGER.info("GET %s", shown)
    deadline = budget()
    wait = Wait(f"{source} {shown}", deadline)
    if deadline.expired():
        raise SourceError(source, shown, f"not sent: this run's time budget ({deadline.setting}="
                          f"{deadline.budget:.0f} s) ended at {clock(deadline.until)}",
                          field="status")
    connect_s, read_s = timeout if isinstance(timeout, tuple) else (timeout, timeout)
    bounded = (min(connect_s, max(deadline.remaining(), 1.0)),
               min(read_s, max(deadline.remaining(), 1.0)))
    _current.wait = wait
    heartbeat = _Heartbeat(wait, read_s)
    try:
        response = session.get(url, timeout=bounded, allow_redirects=False, stream=stream)
    except WaitBudgetExceeded:
        problem = (f"gave up: the source asked to wait past the end of this run's time budget "
                   f"({deadline.setting}={deadline.budget:.0f} s, until {clock(deadline.until)})")
        LOGGER.warning("%s: %s (%s)", source, problem, shown)
        raise SourceError(source, shown, problem, field="status", verdict=Verdict.LATER) from None
    except requests.RequestException as exc:
        verdict = judge_failure(exc)
        what = "no answer after retries" if verdict is Verdict.SMALLER else "request failed"
        problem = f"{what} ({type(exc).__name__}: {redact(exc, secret)})"
        LOGGER.warning("%s: %s (%s)", source, problem, shown)
        raise SourceError(source, shown, problem, field="status", verdict=verdict) from None
    finally:
        heartbeat.stop()
        _current.wait = None
    LOGGER.debug(
        "%s answered HTTP %s (%s) for %s",
        source,
        response.status_code,
        response.headers.get("Content-Type", "no content type"),
        shown,
    )
    return response


class _Heartbeat:
    """While a request is out, a line every :data:`PROGRESS_EVERY` seconds: a slow answer is
    waited for in plain sight (how long so far, when an attempt times out)."""

    def __init__(self, wait: Wait, read_timeout: float):
        self.wait, self.read_timeout = wait, read_timeout
        self.asked = datetime.now(UTC)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(PROGRESS_EVERY):
            if self.wait.due():  # a Retry-After sleep announces itself
                self.wait.announce(f" (answer pending since {clock(self.asked)}; an attempt "
                                   f"gives up after {self.read_timeout:.0f} s without data)")

    def stop(self) -> None:
        self._stop.set()


def judge(status: int, retry_after: bool = False) -> Verdict | None:
    """The policy for an answer's status: ``None`` for a success (2xx), else a :class:`Verdict`.
    A ``Retry-After`` (the server says when) and 429 mean later; other 5xx a smaller or later
    request; 3xx and other 4xx are final."""
    if 200 <= status < 300:
        return None
    if status == 429 or (retry_after and status in Retry.RETRY_AFTER_STATUS_CODES):
        return Verdict.LATER
    if status >= 500:
        return Verdict.SMALLER
    return Verdict.FINAL


def judge_failure(exc: BaseException) -> Verdict:
    """The policy for a request that got no answer: a read timeout or a connection the server
    dropped mid-answer may go away on a smaller request; a connection refused or not made in
    time (DNS, a server down) on a later one; a TLS failure or a malformed request never."""
    if isinstance(exc, requests.exceptions.SSLError):
        return Verdict.FINAL
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Verdict.LATER
    if isinstance(exc, requests.Timeout | requests.exceptions.ChunkedEncodingError):
        return Verdict.SMALLER
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, MaxRetryError):
            reason = reason.reason
        return Verdict.SMALLER if isinstance(reason, ReadTimeoutError | ProtocolError) else (
            Verdict.LATER)
    return Verdict.FINAL


@dataclass(frozen=True)
class Expected:
    """What a client expects of an answer, for the wording of :func:`check_answer`'s errors:
    ``what`` it should be ("JSON", "the search page"), ``hint`` what to check when the answer
    is a redirect or an HTML page (a key, an endpoint), ``rate_hint`` what to do on a 429,
    ``not_found`` what a 404 means and ``not_found_field`` the field it blames."""

    what: str = "the answer"
    hint: str = ""
    rate_hint: str = ""
    not_found: str = "not found"
    not_found_field: str = "status"
    statuses: tuple[int, ...] = (200,)


def check_answer(response: requests.Response, body: bytes, *, source: str, request: str,
                 expected: Expected = Expected()) -> None:
    """Raise the :class:`SourceError` (with :func:`judge`'s verdict) for an answer the client
    cannot read: a redirect, a status other than ``expected.statuses``, an HTML page (``body``
    may be the first bytes only). The message names the status and quotes the API's own text."""
    status = response.status_code
    verdict = judge(status, bool(response.headers.get("Retry-After")))
    hint = f": {expected.hint}" if expected.hint else ""

    def fail(problem: str, field: str = "status") -> SourceError:
        return SourceError(source, request, problem, field=field,
                           verdict=verdict or Verdict.FINAL)

    if 300 <= status < 400:
        location = redact(response.headers.get("Location", "an unnamed location"))
        raise fail(f"answered a redirect (HTTP {status} to {location}) instead of "
                   f"{expected.what}{hint}")
    html = is_html(response, body[:512])
    if verdict is not None and verdict is not Verdict.FINAL:
        retried = "after retries" + (f" ({expected.rate_hint})" if status == 429 and
                                     expected.rate_hint else "")
        said = "an HTML page" if html else repr(body_excerpt(body, 200))
        limited = " (rate limited)" if status == 429 else ""
        raise fail(f"HTTP {status}{limited} {retried}: {said}")
    if html:
        cause = f": {expected.not_found}" if status == 404 else hint
        raise fail(f"answered an HTML page (HTTP {status}) instead of {expected.what}{cause}",
                   field="body" if status == 200 else "status")
    if status == 404:
        raise fail(f"HTTP 404, {expected.not_found}: {body_excerpt(body, 300)!r}",
                   field=expected.not_found_field)
    if status not in expected.statuses:
        raise fail(f"HTTP {status}, the API says: {body_excerpt(body, 500)!r}")


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
