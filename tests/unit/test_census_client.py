"""CensusClient against a local HTTP server answering in the Census API's real shapes."""

from __future__ import annotations

import dataclasses
import json
import logging
import socket
import time
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipelines.lib.errors import SourceError, Verdict, redact
from pipelines.lib.errors import SourceError as ProjectSourceError
from pipelines.lib.sources.census.client import (
    DEFAULT_CHAPTERS,
    EXPORTS_VARIABLES,
    IMPORTS_VARIABLES,
    CensusClient,
    FetchedAnswer,
    answer_file_name,
)
from pipelines.lib.sources.snapshot import answer_files, census_month_files, landing_records

PERIOD = "2025-09"
SECRET = "sekrit-123"


# ---------------------------------------------------------------------------- fake API answers


def answer_body(request: Request, *, rows: int = 2, month: str | None = None) -> bytes:
    """An answer shaped like the real API's: header = requested variables, then the echoed
    predicates not already requested; every value a string; one row per line."""
    args = request.args
    requested = args["get"].split(",")
    imports = "I_COMMODITY" in args
    commodity = "I_COMMODITY" if imports else "E_COMMODITY"
    prefix = args[commodity].rstrip("*")
    header = requested + [
        p for p in ("time", "COMM_LVL", "CTY_CODE") if p in args and p not in requested
    ]
    country = args.get("CTY_CODE", "5880")
    table = [header]
    for n in range(rows):
        code = (prefix + str(n) * 10)[:10]
        values = {
            "I_COMMODITY": code,
            "E_COMMODITY": code,
            "I_COMMODITY_LDESC": f"LONG DESCRIPTION OF {code}",
            "I_COMMODITY_SDESC": f"DESC {code}",
            "E_COMMODITY_LDESC": f"LONG DESCRIPTION OF {code}",
            "CTY_CODE": country,
            "CTY_NAME": "TOTAL FOR ALL COUNTRIES" if country == "-" else "JAPAN",
            "SUMMARY_LVL": "DET",
            "GEN_VAL_MO": str(1000 + n),
            "CON_VAL_MO": str(900 + n),
            "DUT_VAL_MO": str(800 + n),
            "CAL_DUT_MO": str(120 + n),
            "CON_QY1_MO": str(3 + n),
            "UNIT_QY1": "NO",
            "RP": "61",
            "LAST_UPDATE": "2025-11-04",
            "ALL_VAL_MO": str(5000 + n),
            "QTY_1_MO": str(7 + n),
            "time": month or args["time"],
            "COMM_LVL": args["COMM_LVL"],
        }
        table.append([values[name] for name in header])
    text = "[" + ",\n".join(json.dumps(row) for row in table) + "]"
    return text.encode()


def json_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type="application/json;charset=utf-8")


def prefix_of(request: Request) -> str:
    return request.args.get("I_COMMODITY", request.args.get("E_COMMODITY", "")).rstrip("*")


class Api:
    """A handler for /imports/hs and /exports/hs whose answer per prefix is configurable."""

    def __init__(self, default: Callable[[Request], Response] | None = None):
        self.default = default or (lambda request: json_response(answer_body(request)))
        self.by_prefix: dict[str, Callable[[Request], Response]] = {}
        self.calls: Counter[str] = Counter()

    def __call__(self, request: Request) -> Response:
        prefix = prefix_of(request)
        self.calls[prefix] += 1
        return self.by_prefix.get(prefix, self.default)(request)


def first_then(api: Api, *handlers: Callable[[Request], Response]):
    """A handler answering with ``handlers`` in turn, then with ``api.default``."""
    pending = list(handlers)

    def handle(request: Request) -> Response:
        return (pending.pop(0) if pending else api.default)(request)

    return handle


def error_500(request: Request) -> Response:
    return Response("Internal Server Error", status=500, content_type="text/plain")


def no_content(request: Request) -> Response:
    return Response(b"", status=204)


@pytest.fixture
def api(httpserver: HTTPServer) -> Api:
    handler = Api()
    httpserver.expect_request("/imports/hs").respond_with_handler(handler)
    httpserver.expect_request("/exports/hs").respond_with_handler(handler)
    return handler


@pytest.fixture
def make_client(httpserver: HTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("CENSUS_API_KEY", raising=False)

    def make(**kwargs) -> CensusClient:
        options = dict(
            base_url=httpserver.url_for("/"),
            retries=3,
            backoff_factor=0,
            timeout=5,
            landing_root=tmp_path / "landing",
        )
        options.update(kwargs)
        return CensusClient(**options)

    return make


def month_dir(tmp_path: Path, endpoint: str = "imports_hs") -> Path:
    return tmp_path / "landing" / "census" / endpoint / PERIOD


# ---------------------------------------------------------------------------- normal answers


def test_normal_answer_is_parsed_and_saved_unchanged(api, make_client, httpserver, tmp_path):
    served: list[bytes] = []

    def serve(request: Request) -> Response:
        served.append(answer_body(request, rows=3))
        return json_response(served[-1])

    api.by_prefix["87"] = serve
    answers = make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])

    assert len(answers) == 1
    answer = answers[0]
    assert isinstance(answer, FetchedAnswer)
    assert (answer.endpoint, answer.period, answer.country, answer.prefix) == (
        "imports_hs",
        PERIOD,
        "5880",
        "87",
    )
    assert answer.status == 200 and not answer.no_data
    assert answer.header == (*IMPORTS_VARIABLES, "time", "COMM_LVL")
    assert answer.row_count == 3
    assert answer.body == served[0]
    assert answer.fetched_at.tzinfo is not None
    assert answer.records()[0]["I_COMMODITY"].startswith("87")
    saved = month_dir(tmp_path) / "CTY_CODE=5880_I_COMMODITY=87.json"
    assert answer.path == saved
    assert saved.read_bytes() == served[0]
    # no temp file left; the landing record notes the answer's status and fetch time
    assert sorted(p.name for p in saved.parent.iterdir()) == [saved.name, "landing.jsonl"]
    (record,) = landing_records(saved.parent).values()
    assert (record["file"], record["status"], record["rows"]) == (saved.name, 200, 3)
    assert datetime.fromisoformat(record["fetched_at"]) == answer.fetched_at

    (request, _), *_ = httpserver.log
    assert request.args["get"] == ",".join(IMPORTS_VARIABLES)
    assert request.args["time"] == PERIOD
    assert request.args["COMM_LVL"] == "HS10"
    assert request.args["CTY_CODE"] == "5880"
    assert request.args["I_COMMODITY"] == "87*"
    assert "key" not in request.args  # no key configured: none sent
    assert "key" not in answer.params and answer.params.endswith("I_COMMODITY=87*")


def test_exports_all_countries_and_no_country_predicate(api, make_client, httpserver, tmp_path):
    client = make_client()
    exports = client.fetch_month("exports_hs", PERIOD, ["-"], ["10"])
    assert exports[0].header == (*EXPORTS_VARIABLES, "time", "COMM_LVL")
    assert exports[0].path == month_dir(tmp_path, "exports_hs") / "CTY_CODE=ALL_E_COMMODITY=10.json"
    assert httpserver.log[-1][0].args["CTY_CODE"] == "-"
    assert httpserver.log[-1][0].args["E_COMMODITY"] == "10*"

    imports = client.fetch_month("imports_hs", PERIOD, None, ["87"])
    assert "CTY_CODE" not in httpserver.log[-1][0].args
    assert imports[0].path.name == "I_COMMODITY=87.json"


def test_default_chapters_are_01_to_97(api, make_client, tmp_path):
    api.default = no_content
    api.by_prefix["87"] = lambda request: json_response(answer_body(request))
    answers = make_client().fetch_month("imports_hs", PERIOD, ["5880"])
    assert DEFAULT_CHAPTERS[0] == "01" and DEFAULT_CHAPTERS[-1] == "97"
    assert sorted(api.calls) == list(DEFAULT_CHAPTERS)
    assert len(answers) == 97 and sum(not a.no_data for a in answers) == 1
    assert answer_files(month_dir(tmp_path)) == [
        month_dir(tmp_path) / "CTY_CODE=5880_I_COMMODITY=87.json"]
    statuses = {r["status"] for r in landing_records(month_dir(tmp_path)).values()}
    assert len(landing_records(month_dir(tmp_path))) == 97 and statuses == {200, 204}
    # fetched again (the nightly refetch): the record keeps one line per answer, the latest
    make_client().fetch_month("imports_hs", PERIOD, ["5880"])
    lines = (month_dir(tmp_path) / "landing.jsonl").read_text().splitlines()
    assert len(lines) == 97


def test_204_is_no_data_not_an_error(api, make_client, tmp_path):
    api.by_prefix["77"] = no_content
    (answer,) = make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["77"])
    assert answer.no_data and answer.status == 204
    assert answer.row_count == 0 and answer.header == () and answer.body == b""
    assert answer.rows() == [] and answer.path is None
    # no answer file (an empty file is not JSON), but the landing records the 204: a month
    # directory without answers and without this record is damage, not "no data"
    assert answer_files(month_dir(tmp_path)) == []
    record = landing_records(month_dir(tmp_path))["CTY_CODE=5880_I_COMMODITY=77.json"]
    assert record["status"] == 204 and record["rows"] == 0
    assert census_month_files(tmp_path / "landing", "imports_hs", PERIOD) == []


# ---------------------------------------------------------------------------- retries and splits


def test_500_twice_then_success(api, make_client):
    api.by_prefix["87"] = first_then(api, error_500, error_500)
    (answer,) = make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    assert answer.row_count == 2
    assert api.calls["87"] == 3


def test_429_retry_after_is_honoured(api, make_client):
    api.by_prefix["87"] = first_then(
        api, lambda r: Response("Too Many Requests", status=429, headers={"Retry-After": "1"})
    )
    started = time.monotonic()
    (answer,) = make_client(backoff_factor=0).fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    elapsed = time.monotonic() - started
    assert answer.row_count == 2
    assert api.calls["87"] == 2
    assert elapsed >= 0.9  # the server asked for one second; backoff_factor is 0


def test_timeout_is_retried(make_client, tmp_path):
    calls = Counter()

    def slow_first(request: Request) -> Response:
        calls["n"] += 1
        if calls["n"] == 1:
            time.sleep(1.0)
        return json_response(answer_body(request))

    server = HTTPServer(threaded=True)  # the retry must not queue behind the sleeping request
    server.expect_request("/imports/hs").respond_with_handler(slow_first)
    server.start()
    try:
        client = make_client(base_url=server.url_for("/"), timeout=(2, 0.3))
        (answer,) = client.fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    finally:
        server.clear()
        server.stop()
    assert answer.row_count == 2 and calls["n"] == 2


def test_persistent_timeout_splits_then_raises(make_client, tmp_path):
    calls = Counter()

    def always_slow(request: Request) -> Response:
        calls[prefix_of(request)] += 1
        time.sleep(0.5)
        return json_response(answer_body(request))

    server = HTTPServer(threaded=True)
    server.expect_request("/imports/hs").respond_with_handler(always_slow)
    server.start()
    try:
        client = make_client(base_url=server.url_for("/"), timeout=(2, 0.15), retries=0)
        with pytest.raises(SourceError) as caught:
            client.fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    finally:
        server.clear()
        server.stop()
    assert caught.value.verdict is Verdict.LATER  # not split any further
    assert "gave up" in str(caught.value) and "I_COMMODITY=8700*" in str(caught.value)
    assert "Timeout" in str(caught.value)
    assert calls == Counter({"87": 1, "870": 1, "8700": 1})


def test_refused_connection_is_not_split(make_client):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    client = make_client(base_url=f"http://127.0.0.1:{port}", retries=1)
    with pytest.raises(SourceError) as caught:
        client.fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    message = str(caught.value)
    assert "request failed" in message and "ConnectionError" in message
    assert "gave up" not in message and "I_COMMODITY=87*" in message


def test_persistent_429_is_a_rate_limit_never_split(api, make_client):
    """A 429 says "later", not "smaller": after the retries it stops the month with the hint,
    and no 3-digit prefix is asked (ten times the requests would make the limit worse)."""
    api.by_prefix["87"] = lambda r: Response("Too Many Requests", status=429)
    with pytest.raises(SourceError) as caught:
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    message = str(caught.value)
    assert "HTTP 429 (rate limited) after retries" in message and "CENSUS_API_KEY" in message
    assert caught.value.verdict is Verdict.LATER and caught.value.field == "status"
    assert api.calls == Counter({"87": 4})  # first try + 3 retries, no split


def test_persistent_503_with_retry_after_is_not_split(api, make_client):
    """A server that says when to come back (Retry-After) is busy, not failing on the size of
    the query: the same request later, not ten smaller ones now."""
    api.by_prefix["87"] = lambda r: Response("maintenance", status=503,
                                             headers={"Retry-After": "0"})
    with pytest.raises(SourceError, match="HTTP 503 after retries") as caught:
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    assert caught.value.verdict is Verdict.LATER
    assert api.calls == Counter({"87": 4})


def test_persistent_500_splits_into_3_digit_prefixes(api, make_client, tmp_path):
    api.by_prefix["87"] = error_500
    api.by_prefix["879"] = no_content
    month = month_dir(tmp_path)
    month.mkdir(parents=True)
    stale = month / "CTY_CODE=5880_I_COMMODITY=87.json"  # an earlier run's unsplit answer
    stale.write_text("[]")
    other = month / "CTY_CODE=5880_I_COMMODITY=88.json"
    other.write_text("[]")

    answers = make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])

    assert [a.prefix for a in answers] == [f"87{d}" for d in range(10)]
    assert api.calls["87"] == 4  # first try + 3 retries
    assert all(api.calls[f"87{d}"] == 1 for d in range(10))
    assert answers[-1].no_data
    assert all(
        a.row_count == 2 and a.records()[0]["I_COMMODITY"].startswith(a.prefix)
        for a in answers[:-1]
    )
    names = sorted(p.name for p in answer_files(month))
    assert names == sorted(
        [f"CTY_CODE=5880_I_COMMODITY=87{d}.json" for d in range(9)] + [other.name]
    )  # the overlapping unsplit answer is gone, other chapters untouched
    assert not stale.exists()


def test_persistent_500_everywhere_raises_naming_prefix_and_period(api, make_client, tmp_path):
    api.default = error_500
    with pytest.raises(SourceError) as caught:
        make_client(retries=1).fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    message = str(caught.value)
    assert "Census imports/hs" in message
    assert "8700*" in message and PERIOD in message and "5880" in message
    assert "imports/hs?" in message and "I_COMMODITY=8700*" in message  # the request URL
    assert "500" in message
    assert api.calls["87"] == api.calls["870"] == api.calls["8700"] == 2
    assert "8701" not in api.calls  # depth first: stops at the first prefix that cannot be had
    assert not month_dir(tmp_path).exists()


# ---------------------------------------------------------------------------- bad answers


def test_html_page_with_status_200_is_a_key_error(api, make_client):
    html = b"<!DOCTYPE html><html><head><title>Invalid Key</title></head><body>...</body></html>"
    api.default = lambda r: Response(html, status=200, content_type="text/html")
    with pytest.raises(SourceError) as caught:
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    message = str(caught.value)
    assert "HTML page (HTTP 200) instead of JSON" in message and "CENSUS_API_KEY" in message
    assert "I_COMMODITY=87*" in message
    assert sum(api.calls.values()) == 1  # not retried, not split


def test_html_body_without_html_content_type(api, make_client):
    api.default = lambda r: Response(b"\n<html><body>oops</body></html>", content_type="text/plain")
    with pytest.raises(SourceError, match="HTML page"):
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])


def test_redirect_is_not_followed(api, make_client, httpserver):
    api.default = lambda r: Response(
        "", status=302, headers={"Location": httpserver.url_for("/signup.html")}
    )
    with pytest.raises(SourceError) as caught:
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    message = str(caught.value)
    assert "redirect" in message and "302" in message and "CENSUS_API_KEY" in message
    assert all(request.path != "/signup.html" for request, _ in httpserver.log)


def test_truncated_json_names_the_request(api, make_client, tmp_path):
    api.default = lambda r: json_response(answer_body(r)[:-40])
    with pytest.raises(SourceError) as caught:
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    message = str(caught.value)
    assert "not valid JSON" in message
    assert "imports/hs?get=I_COMMODITY" in message and "time=2025-09" in message
    assert not month_dir(tmp_path).exists()  # nothing saved for a bad answer


def test_body_that_is_not_a_list_of_lists(api, make_client):
    api.default = lambda r: json_response(b'{"error": "nope"}')
    with pytest.raises(SourceError, match="array of arrays"):
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])


def test_header_row_length_mismatch(api, make_client):
    def short_row(request: Request) -> Response:
        table = json.loads(answer_body(request, rows=3))
        table[2] = table[2][:-1]
        return json_response(json.dumps(table).encode())

    api.default = short_row
    with pytest.raises(SourceError, match=r"row 2 has 15 values but the header has 16"):
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])


def test_header_missing_a_requested_variable(api, make_client):
    def no_rp(request: Request) -> Response:
        table = json.loads(answer_body(request))
        at = table[0].index("RP")
        return json_response(json.dumps([row[:at] + row[at + 1 :] for row in table]).encode())

    api.default = no_rp
    with pytest.raises(SourceError, match=r"header lacks requested variable\(s\) RP") as caught:
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    assert caught.value.field == "RP"


def test_wrong_month_in_body(api, make_client):
    api.default = lambda r: json_response(answer_body(r, month="2025-08"))
    with pytest.raises(SourceError) as caught:
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    assert "row 1 field time is '2025-08'" in str(caught.value)
    assert caught.value.field == "time"
    assert isinstance(caught.value, ProjectSourceError)  # the project's one error type
    assert "'2025-09' was requested" in str(caught.value)


def test_non_string_value(api, make_client):
    def numeric(request: Request) -> Response:
        table = json.loads(answer_body(request))
        table[1][table[0].index("CON_VAL_MO")] = 900
        return json_response(json.dumps(table).encode())

    api.default = numeric
    with pytest.raises(SourceError, match="row 1 field CON_VAL_MO holds a int"):
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])


def test_400_includes_the_api_text(api, make_client):
    api.default = lambda r: Response(
        "error: unknown variable 'FOO'", status=400, content_type="text/plain"
    )
    with pytest.raises(SourceError) as caught:
        make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"])
    assert "HTTP 400" in str(caught.value)
    assert "error: unknown variable 'FOO'" in str(caught.value)
    assert sum(api.calls.values()) == 1


def test_invalid_arguments(make_client):
    client = make_client()
    with pytest.raises(ValueError, match="YYYY-MM"):
        client.fetch_month("imports_hs", "2025-9", ["5880"], ["87"])
    with pytest.raises(ValueError, match="endpoint"):
        client.fetch_month("imports", PERIOD, ["5880"], ["87"])
    with pytest.raises(ValueError, match="country"):
        client.fetch_month("imports_hs", PERIOD, ["58/80"], ["87"])
    with pytest.raises(ValueError, match="overlap"):
        client.fetch_month("imports_hs", PERIOD, ["5880"], ["87", "870"])


def test_answer_file_names():
    assert answer_file_name("imports_hs", "5880", "87") == "CTY_CODE=5880_I_COMMODITY=87.json"
    assert answer_file_name("imports_hs", "-", "870") == "CTY_CODE=ALL_I_COMMODITY=870.json"
    assert answer_file_name("exports_hs", None, "1006") == "E_COMMODITY=1006.json"


# ---------------------------------------------------------------------------- the key


def test_redact():
    url = "https://api.census.gov/data/x?get=A&key=abc%2Bdef&time=2025-09"
    assert redact(url) == "https://api.census.gov/data/x?get=A&key=***&time=2025-09"
    assert redact("the key is hunter2, twice: hunter2", "hunter2") == "the key is ***, twice: ***"
    assert redact("monkey=banana&key=zzz") == "monkey=banana&key=***"


def test_key_never_leaks(api, make_client, httpserver, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("CENSUS_API_KEY", SECRET)
    # the local server's own access log stands for the Census side, which does see the key
    caplog.set_level(logging.WARNING, logger="werkzeug")
    caplog.set_level(logging.DEBUG)  # (second: the capture handler ends at DEBUG)
    client = make_client(retries=1)
    assert client.has_key and SECRET not in repr(client)

    errors: list[SourceError] = []
    # a chapter failing all the way down (retries, splits, final error)
    api.by_prefix["01"] = error_500
    for prefix in ("010", "0100"):
        api.by_prefix[prefix] = error_500
    with pytest.raises(SourceError) as caught:
        client.fetch_month("imports_hs", PERIOD, ["5880"], ["01"])
    errors.append(caught.value)
    # a redirect to a page that repeats the key, and an HTML page
    api.by_prefix["02"] = lambda r: Response(
        "", status=302, headers={"Location": f"{httpserver.url_for('/x')}?key={SECRET}"}
    )
    with pytest.raises(SourceError) as caught:
        client.fetch_month("imports_hs", PERIOD, ["5880"], ["02"])
    errors.append(caught.value)
    api.by_prefix["03"] = lambda r: Response("<html>bad key</html>", content_type="text/html")
    with pytest.raises(SourceError) as caught:
        client.fetch_month("imports_hs", PERIOD, ["5880"], ["03"])
    errors.append(caught.value)
    # and a success
    answers = client.fetch_month("imports_hs", PERIOD, ["5880"], ["87"])

    for error in errors:
        assert SECRET not in str(error) and SECRET not in repr(error)
        assert SECRET not in "".join(traceback.format_exception(error))
        assert "key=***" in str(error)
    for answer in answers:
        for value in dataclasses.asdict(answer).values():
            assert SECRET not in (value.decode() if isinstance(value, bytes) else str(value))
        assert "key=***" in answer.params
    assert caplog.records
    for record in caplog.records:
        assert SECRET not in record.getMessage(), record.name
    assert SECRET not in caplog.text
    # urllib3's own request lines were logged, redacted (so the check above is not vacuous)
    assert any(r.name.startswith("urllib3") and "key=***" in r.getMessage() for r in caplog.records)
    for path in tmp_path.rglob("*"):
        assert SECRET not in str(path)
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes()
    # yet the API did receive the key on every request
    assert httpserver.log and all(r.args.get("key") == SECRET for r, _ in httpserver.log)


def test_chapter_totals_are_requested_at_hs2_and_saved(make_client, httpserver, tmp_path):
    body = json.dumps([
        ["I_COMMODITY", "CTY_CODE", "CTY_NAME", "GEN_VAL_MO", "CON_VAL_MO", "DUT_VAL_MO",
         "CAL_DUT_MO", "time", "COMM_LVL"],
        ["87", "5880", "JAPAN", "110", "100", "90", "15", PERIOD, "HS2"],
    ]).encode()
    def serve(request: Request) -> Response:
        if request.args["COMM_LVL"] == "HS2":
            return json_response(body)
        return no_content(request)

    httpserver.expect_request("/imports/hs").respond_with_handler(serve)
    answers = make_client().fetch_month("imports_hs", PERIOD, ["5880"], ["87"], totals=True)

    totals = answers[-1]
    assert (totals.prefix, totals.row_count) == (None, 1)
    saved = month_dir(tmp_path) / "CTY_CODE=5880_COMM_LVL=HS2.json"
    assert totals.path == saved and saved.read_bytes() == body
    request = httpserver.log[-1][0]
    assert request.args["COMM_LVL"] == "HS2" and "I_COMMODITY" not in request.args
    assert request.args["get"].split(",")[:2] == ["I_COMMODITY", "CTY_CODE"]
