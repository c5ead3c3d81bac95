"""Which process is this, and is that one still alive: the identity a run records in its tags so
that a later run can tell a live holder of the warehouse from a dead one.

A PID alone is not enough: after a crash the number can be reused by another program. On Linux
the process's start time (``/proc/<pid>/stat``, field 22, in clock ticks since boot) goes with
it, so a reused PID reads as a different process."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProcessIdentity:
    pid: int
    host: str
    started: str  # the process's start time as the kernel counts it ("" where unknown)

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}"


def _start_ticks(pid: int) -> str | None:
    """The start time of ``pid`` in clock ticks since boot; ``None`` when there is no such
    process or it is a zombie (dead, not yet reaped); ``""`` where ``/proc`` is not available."""
    stat = Path(f"/proc/{pid}/stat")
    if not Path("/proc/self/stat").exists():
        return ""
    try:
        text = stat.read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # the command name (field 2) is in parentheses and may hold spaces: split after it
    fields = text[text.rindex(")") + 2:].split()
    if fields[0] in ("Z", "X"):  # state: zombie or dead
        return None
    return fields[19]  # field 22 of the whole line


def current() -> ProcessIdentity:
    pid = os.getpid()
    return ProcessIdentity(pid, socket.gethostname(), _start_ticks(pid) or "")


def is_alive(identity: ProcessIdentity) -> bool | None:
    """True while the process runs, False when it is gone (or its PID now belongs to another
    process), None when this machine cannot tell (the process ran on another host)."""
    if identity.host != socket.gethostname():
        return None
    ticks = _start_ticks(identity.pid)
    if ticks is None:
        return False
    if ticks:
        return not identity.started or ticks == identity.started
    try:  # no /proc: signal 0 only asks whether the PID exists
        os.kill(identity.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
