"""Ctrl-C (SIGINT) and SIGTERM stop ``make run``, and are never lost.

Dagster replaces the handlers of both signals while a run executes: a signal then fails the
step it arrives in, marks the steps not started yet abandoned, or, arriving after the last of
its checkpoints, is forgotten when the run ends (the run reports success). :func:`watching`
therefore also records every signal through a wakeup file descriptor, which the interpreter
writes whichever Python handler is in place; :meth:`Watch.received` tells after each run
whether one came. Outside a run the handler raises :class:`Interrupted` at once.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """``make run`` received ``signum``; a ``KeyboardInterrupt``, so ``except Exception`` in a
    library never swallows it."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return "Ctrl-C" if self.signum == signal.SIGINT else signal.Signals(self.signum).name


class Watch:
    """The signals received since :func:`watching` began."""

    def __init__(self, read_fd: int):
        self._fd = read_fd
        self._seen: list[int] = []

    def received(self) -> Interrupted | None:
        """The first SIGINT or SIGTERM received so far, as an exception to raise, else ``None``."""
        try:
            while chunk := os.read(self._fd, 512):
                self._seen += [s for s in chunk if s in SIGNALS]
        except BlockingIOError:
            pass
        return Interrupted(self._seen[0]) if self._seen else None

    @contextmanager
    def deferred(self) -> Iterator[None]:
        """Ignore both signals in the block (a rollback must finish once begun)."""
        before = {s: signal.getsignal(s) for s in SIGNALS}
        for s in SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        try:
            yield
        finally:
            for s, handler in before.items():
                signal.signal(s, handler)


def _raise(signum: int, _frame) -> None:
    raise Interrupted(signum)


@contextmanager
def watching() -> Iterator[Watch]:
    """Within the block, SIGINT and SIGTERM raise :class:`Interrupted` and are recorded (main
    thread only, as every signal handler in Python)."""
    read_fd, write_fd = os.pipe()
    os.set_blocking(read_fd, False)
    os.set_blocking(write_fd, False)
    before = {s: signal.getsignal(s) for s in SIGNALS}
    previous_fd = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
    for s in SIGNALS:
        signal.signal(s, _raise)
    try:
        yield Watch(read_fd)
    finally:
        for s, handler in before.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(previous_fd)
        os.close(read_fd)
        os.close(write_fd)
