"""Which process is this, and is that one still alive: the identity a run records in its tags so
that a later run can tell a live holder of the warehouse from a dead one.

A PID alone is not enough: after a crash the number can be reused by another program. The
process's start time (psutil's ``create_time``, seconds since the epoch) goes with it, so a
reused PID reads as a different process."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class ProcessIdentity:
    pid: int
    host: str
    started: str  # the process's start time ("" where the system would not tell)

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}"


def _started(pid: int) -> str | None:
    """The start time of ``pid`` as text (to the hundredth of a second, the kernel's tick);
    ``None`` when there is no such process or it is a zombie (dead, not yet reaped); ``""``
    when it exists but the system does not say when it started."""
    try:
        process = psutil.Process(pid)
        if process.status() in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
            return None
        return f"{process.create_time():.2f}"
    except psutil.NoSuchProcess:  # also ZombieProcess, its subclass
        return None
    except psutil.AccessDenied:
        return ""


def current() -> ProcessIdentity:
    pid = os.getpid()
    return ProcessIdentity(pid, socket.gethostname(), _started(pid) or "")


def is_alive(identity: ProcessIdentity) -> bool | None:
    """True while the process runs, False when it is gone (or its PID now belongs to another
    process), None when this machine cannot tell (the process ran on another host)."""
    if identity.host != socket.gethostname():
        return None
    started = _started(identity.pid)
    if started is None:
        return False
    return not started or not identity.started or started == identity.started
