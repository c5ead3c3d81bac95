"""Waiting in plain sight: every wait of a run (for the warehouse held by another process, for a
source's ``Retry-After`` or slow answer) says what it waits for and until when, repeats a
progress line at least every :data:`PROGRESS_EVERY` seconds, and ends at its deadline with one
clear error instead of waiting on.

Lines go to the ``pipelines.wait`` logger at WARNING, which the CLI prints and the instance's
``python_logs.managed_python_loggers`` (``dagster_home/dagster.yaml``) puts in the run's event
log, beside Dagster's own lines in the UI."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

LOGGER = logging.getLogger("pipelines.wait")
PROGRESS_EVERY = 30.0


class WaitBudgetExceeded(RuntimeError):
    """A wait reached (or would pass) its deadline. Not an ``OSError``: an HTTP library must not
    mistake it for a network failure and retry."""


def clock(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%H:%M:%S UTC")


class Deadline:
    """A point in time a run must not wait past (``budget`` seconds from now, or the epoch time
    ``end`` when given), set by the environment variable ``setting`` (named in the error that
    ends the wait). One deadline serves every wait of a run: a wait does not start a budget of
    its own, so a run waits ``budget`` seconds in all, however many steps wait."""

    def __init__(self, budget: float, setting: str, end: float | None = None):
        self.budget, self.setting = budget, setting
        self.end = time.time() + budget if end is None else end  # epoch seconds
        self._end = time.monotonic() + (self.end - time.time())
        self.until = datetime.fromtimestamp(self.end, UTC)

    def remaining(self) -> float:
        return self._end - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def error(self, what: str) -> WaitBudgetExceeded:
        return WaitBudgetExceeded(
            f"gave up waiting for {what}: the time budget {self.setting}={self.budget:.0f} s "
            f"ends at {clock(self.until)}")


class Wait:
    """One wait for ``what`` bounded by ``deadline``: :meth:`sleep` sleeps in steps of at most
    :data:`PROGRESS_EVERY` seconds, announcing the wait first and then its progress."""

    def __init__(self, what: str, deadline: Deadline, say=LOGGER.warning):
        self.what, self.deadline, self.say = what, deadline, say
        self.started = time.monotonic()
        self._last_said: float | None = None

    def announce(self, detail: str = "", until: datetime | None = None) -> None:
        """Say that (or, after the first time, that still) the run waits for ``what``."""
        now = time.monotonic()
        until = min(until or self.deadline.until, self.deadline.until)
        if self._last_said is None:
            self.say(f"waiting for {self.what}{detail}; until {clock(until)} at the latest "
                     f"({self.deadline.setting}={self.deadline.budget:.0f} s)")
        else:
            self.say(f"still waiting for {self.what}{detail} ({now - self.started:.0f} s so "
                     f"far; until {clock(until)} at the latest)")
        self._last_said = now

    def due(self) -> bool:
        """True when the wait has not been announced for :data:`PROGRESS_EVERY` seconds."""
        return self._last_said is None or time.monotonic() - self._last_said >= PROGRESS_EVERY

    def sleep(self, seconds: float, detail: str = "", poll: bool = False) -> None:
        """Sleep ``seconds`` (never past the deadline, which raises), with progress lines.
        The lines say until when: the end of this sleep (a Retry-After), or for a ``poll``
        (one of many short sleeps until something frees up) the deadline."""
        if poll:  # the last poll ends at the deadline
            seconds = min(seconds, self.deadline.remaining())
            if seconds <= 0:
                raise self.deadline.error(self.what)
        elif self.deadline.remaining() < seconds:
            raise self.deadline.error(self.what)
        end = time.monotonic() + seconds
        until = None if poll else datetime.now(UTC) + timedelta(seconds=seconds)
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return
            if self.due():
                self.announce(detail, until)
            time.sleep(min(left, PROGRESS_EVERY))
