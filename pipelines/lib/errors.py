"""The one error type for bad or missing input, and the redaction that keeps secrets out of it.

Every source (clients and snapshot readers alike) raises :class:`SourceError`; its message names
the source, the request or file, and the field at fault. Secrets (API keys) never reach a
message: ``where`` and ``problem`` pass through :func:`redact`, which scrubs every secret
registered with :func:`register_secret` and any ``key=...`` query value.
"""

from __future__ import annotations

import re
import threading
from enum import StrEnum
from urllib.parse import quote

REDACTED = "***"
# key=..., appId=... (Census, e-Stat) as query parameters or in quoted text
_KEY_PARAM = re.compile(r"(?i)((?:^|[?&;\s'\"(])(?:key|appid)=)[^&#\s'\")]*")
_SECRETS: set[str] = set()
_SECRETS_LOCK = threading.Lock()


def register_secret(secret: str | None) -> None:
    """Remember a secret so that :func:`redact` (and the log filter) scrub it everywhere."""
    if secret:
        with _SECRETS_LOCK:
            _SECRETS.add(secret)


def redact(url_or_text: object, secret: str | None = None) -> str:
    """``url_or_text`` with ``secret`` (and every registered secret) and any ``key=...`` value
    replaced by ``***``."""
    text = str(url_or_text)
    with _SECRETS_LOCK:
        secrets = set(_SECRETS)
    if secret:
        secrets.add(secret)
    # Longest first so that a secret containing another one is replaced whole.
    for value in sorted(secrets, key=len, reverse=True):
        text = text.replace(value, REDACTED)
        quoted = quote(value, safe="")
        if quoted != value:
            text = text.replace(quoted, REDACTED)
    return _KEY_PARAM.sub(lambda m: m.group(1) + REDACTED, text)


class Verdict(StrEnum):
    """What asking again may change, for a failed request (the policy is
    :func:`pipelines.lib.sources.http.judge` and ``judge_failure``)."""

    LATER = "later"  # busy or unreachable (429, Retry-After, no connection): the same, later
    SMALLER = "smaller"  # a server error or no answer in time: a smaller (or later) request
    FINAL = "final"  # a wrong request or key, or an unusable answer: asking again changes nothing


class SourceError(RuntimeError):
    """A source answered something the pipeline cannot use, or did not answer at all.

    ``source`` names the source (``Census imports/hs``, ``USITC HTS``, ...), ``where`` the request
    (a redacted URL) or the file, ``problem`` what is wrong, and ``field`` the field, column or
    part of the answer at fault (``body`` for the answer as a whole, ``status`` for an HTTP
    failure). ``verdict`` says whether a later or a smaller request may succeed (a
    :class:`Verdict`; bad input is final).
    """

    def __init__(self, source: str, where: str, problem: str, *, field: str = "body",
                 verdict: Verdict = Verdict.FINAL):
        self.source = source
        self.where = self.request = redact(where)
        self.field = field
        self.problem = redact(problem)
        self.verdict = Verdict(verdict)
        super().__init__(f"{source}: {self.where}: field {field!r}: {self.problem}")

    def __reduce__(self):  # picklable despite the keyword-only arguments
        return (_rebuild, (self.source, self.where, self.problem, self.field, str(self.verdict)))


def _rebuild(source: str, where: str, problem: str, field: str, verdict: str) -> SourceError:
    return SourceError(source, where, problem, field=field, verdict=Verdict(verdict))
