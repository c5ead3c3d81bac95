"""A run's process identity (PID, host, start time) tells a live holder of the warehouse from a
dead one, a zombie, or a new program that got the same PID."""

import os
import socket
import subprocess
import sys

import pytest

from pipelines.lib import processes


def _child() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "pass"])


def test_this_process_is_alive_and_has_a_start_time():
    me = processes.current()
    assert me.pid == os.getpid() and me.host == socket.gethostname()
    assert float(me.started) > 0
    assert processes.is_alive(me) is True


def test_a_process_that_ended_is_not_alive():
    child = _child()
    identity = processes.ProcessIdentity(child.pid, socket.gethostname(),
                                         processes._started(child.pid) or "")
    child.wait()
    assert processes.is_alive(identity) is False


@pytest.mark.skipif(not hasattr(os, "waitid"), reason="os.waitid (WNOWAIT) is POSIX-only")
def test_a_zombie_is_not_alive():
    child = _child()
    try:
        # wait for the exit without reaping it: the PID stays, as a zombie
        os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
        assert processes.is_alive(processes.ProcessIdentity(child.pid, socket.gethostname(),
                                                            "")) is False
    finally:
        child.wait()


def test_a_reused_pid_reads_as_another_process():
    me = processes.current()
    earlier = processes.ProcessIdentity(me.pid, me.host, f"{float(me.started) - 3600:.2f}")
    assert processes.is_alive(earlier) is False


def test_a_process_on_another_host_cannot_be_told():
    other = processes.ProcessIdentity(os.getpid(), socket.gethostname() + "-elsewhere", "1.00")
    assert processes.is_alive(other) is None
