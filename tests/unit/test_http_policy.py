"""The one answer policy of the live clients (``pipelines.lib.sources.http``): for every status
and every failure without an answer, whether the same request later, a smaller request, or
nothing may help; real failures come from real sockets."""

from __future__ import annotations

import socket

import pytest
import requests

from pipelines.lib.errors import Verdict
from pipelines.lib.sources import http


@pytest.mark.parametrize("status, retry_after, verdict", [
    (200, False, None), (204, False, None),
    (429, False, Verdict.LATER), (429, True, Verdict.LATER),
    (503, True, Verdict.LATER), (413, True, Verdict.LATER),
    (500, False, Verdict.SMALLER), (502, False, Verdict.SMALLER), (503, False, Verdict.SMALLER),
    (504, False, Verdict.SMALLER), (500, True, Verdict.SMALLER),
    (301, False, Verdict.FINAL), (400, False, Verdict.FINAL), (401, False, Verdict.FINAL),
    (403, True, Verdict.FINAL), (404, False, Verdict.FINAL), (413, False, Verdict.FINAL),
])
def test_the_verdict_of_a_status(status, retry_after, verdict):
    assert http.judge(status, retry_after) is verdict


def test_the_session_retries_exactly_what_is_not_final():
    retry = http.make_retry()
    for status in (429, 500, 503, 504):
        assert retry.is_retry("GET", status)
    assert retry.is_retry("GET", 413, has_retry_after=True)
    for status in (200, 204, 302, 400, 403, 404, 413):
        assert not retry.is_retry("GET", status)
    assert not retry.is_retry("POST", 503)


def _failure(url: str, timeout: float) -> requests.RequestException:
    session = http.make_session(retries=0)
    with pytest.raises(requests.RequestException) as caught:
        session.get(url, timeout=timeout)
    return caught.value


def test_a_refused_connection_is_for_later():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens on it
    assert http.judge_failure(_failure(f"http://127.0.0.1:{port}/", 2)) is Verdict.LATER


def test_an_answer_that_never_comes_may_come_for_a_smaller_request():
    with socket.socket() as sock:  # accepts connections (backlog) but never answers
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        failure = _failure(f"http://127.0.0.1:{sock.getsockname()[1]}/", 0.2)
    assert http.judge_failure(failure) is Verdict.SMALLER


def test_a_malformed_request_is_final():
    failure = _failure("http://[::1/", 1)
    assert http.judge_failure(failure) is Verdict.FINAL
