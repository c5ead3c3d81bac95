"""Waiting in plain sight, with budgets: a warehouse locked by a reader (a real second process
holding DuckDB's lock), a source answering Retry-After or slowly (a real local HTTP server),
settings read from the environment, and the live sources' base URLs pointed elsewhere."""

from __future__ import annotations

import gzip
import json
import logging
import subprocess
import sys
import time
from datetime import date

import duckdb
import pytest
from werkzeug import Request, Response

from pipelines.defs.resources import SourceResource, warehouse_resource
from pipelines.lib import settings, waiting
from pipelines.lib.errors import SourceError, Verdict
from pipelines.lib.sources import http
from pipelines.lib.sources.census.client import CensusClient
from pipelines.lib.sources.japan_customs.client import EStatClient
from pipelines.lib.warehouse.connection import WarehouseLocked, connect
from tests.helpers import table_checksums

KEY = "wait-test-key-987654321"
READER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)  # the README's own example
print("open", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


@pytest.fixture
def fast_progress(monkeypatch):
    """Progress lines every 0.2 s instead of 30 s, so a short wait shows several."""
    monkeypatch.setattr(waiting, "PROGRESS_EVERY", 0.2)
    monkeypatch.setattr(http, "PROGRESS_EVERY", 0.2)


def _wait_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pipelines.wait"]


def _reader(path, seconds: float) -> subprocess.Popen:
    reader = subprocess.Popen([sys.executable, "-c", READER, str(path), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert reader.stdout.readline().strip() == "open"
    return reader


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE t AS SELECT 1 AS x")
    return path


# --- the warehouse locked by another process ---------------------------------------------------

def test_a_locked_warehouse_is_waited_for_naming_the_process_then_opened(
        warehouse, caplog, fast_progress):
    caplog.set_level(logging.WARNING, logger="pipelines.wait")
    reader = _reader(warehouse, 1.5)
    with connect(warehouse) as con:  # waits until the reader closes
        assert con.execute("SELECT x FROM t").fetchone() == (1,)
    reader.wait()
    lines = _wait_lines(caplog)
    assert lines and lines[0].startswith(f"waiting for the warehouse {warehouse}")
    assert f"locked by PID {reader.pid}" in lines[0]
    assert "until" in lines[0] and "TARIFF_AUDIT_WAREHOUSE_WAIT=" in lines[0]
    assert any(line.startswith("still waiting") for line in lines[1:]), lines


def test_a_lock_held_past_the_budget_ends_in_one_clear_error(warehouse, monkeypatch, caplog):
    caplog.set_level(logging.WARNING, logger="pipelines.wait")
    monkeypatch.setenv("TARIFF_AUDIT_WAREHOUSE_WAIT", "2")
    before = table_checksums(warehouse)
    reader = _reader(warehouse, 60)
    try:
        with pytest.raises(WarehouseLocked) as locked:
            connect(warehouse)
    finally:
        reader.kill()
        reader.wait()
    message = str(locked.value)
    assert "\n" not in message
    assert f"PID {reader.pid}" in message and "TARIFF_AUDIT_WAREHOUSE_WAIT=2 s" in message
    assert "published copy" in message  # what to do about it
    ends = message.split("ends at ")[1].split(";")[0]
    assert f"until {ends} at the latest" in _wait_lines(caplog)[0]  # announced up front
    assert table_checksums(warehouse) == before


def test_the_warehouse_resource_waits_for_the_lock_too(warehouse, monkeypatch, caplog,
                                                       fast_progress):
    monkeypatch.setenv("TARIFF_AUDIT_WAREHOUSE", str(warehouse))
    caplog.set_level(logging.WARNING, logger="pipelines.wait")
    reader = _reader(warehouse, 1.0)
    with warehouse_resource().get_connection() as con:
        assert con.execute("SELECT count(*) FROM t").fetchone() == (1,)
    reader.wait()
    assert any(f"locked by PID {reader.pid}" in line for line in _wait_lines(caplog))



def test_every_step_and_run_of_make_run_shares_one_wait_budget(warehouse, monkeypatch):
    """The issue's probe: with a reader holding the file, each step waited the whole budget in
    turn (five steps, five budgets) while its "until ... at the latest" moved on. One deadline
    per run: set when a UI run starts (and kept in its tags), or passed by ``make run`` to each
    of its runs; a step that finds it spent fails at once, naming the same time."""
    import dagster as dg

    from pipelines.defs.recovery import TAG_WAIT_UNTIL
    from pipelines.defs.resources import WarehouseResource

    monkeypatch.setenv("TARIFF_AUDIT_WAREHOUSE_WAIT", "3")

    def opens(name):
        @dg.asset(name=name, required_resource_keys={"warehouse"})
        def _step(context):
            with context.resources.warehouse.get_connection():
                pass
        return _step

    job = dg.Definitions(
        assets=[opens("first"), opens("second")],
        resources={"warehouse": WarehouseResource(database=str(warehouse))},
        executor=dg.in_process_executor).resolve_implicit_global_asset_job_def()
    instance = dg.DagsterInstance.ephemeral()
    reader = _reader(warehouse, 60)
    try:
        started = time.monotonic()
        ui = job.execute_in_process(instance=instance, raise_on_error=False)
        tags = {TAG_WAIT_UNTIL: instance.get_run_by_id(ui.run_id).tags[TAG_WAIT_UNTIL]}
        cli = job.execute_in_process(instance=instance, raise_on_error=False, tags=tags)
        elapsed = time.monotonic() - started
    finally:
        reader.kill()
        reader.wait()
    errors = [e.step_failure_data.error.cause.message for r in (ui, cli) for e in r.all_events
              if e.is_step_failure]
    assert len(errors) == 4 and all("WarehouseLocked" in e for e in errors), errors
    assert len({e.split("ends at ")[1].split(";")[0] for e in errors}) == 1, errors
    assert elapsed < 3 + 3, f"{elapsed:.1f} s: the steps waited in turn"


# --- HTTP: Retry-After, slow answers, the run's budget ----------------------------------------

def _census(httpserver, tmp_path, **kwargs) -> CensusClient:
    options = dict(base_url=httpserver.url_for("/"), api_key=KEY, retries=2, backoff_factor=0,
                   timeout=(2, 5), landing_root=tmp_path / "landing")
    options.update(kwargs)
    return CensusClient(**options)


def _answer(request: Request) -> Response:
    header = ["CTY_CODE", "CTY_NAME", "I_COMMODITY", "I_COMMODITY_SDESC", "GEN_VAL_MO",
              "CON_VAL_MO", "DUT_VAL_MO", "CAL_DUT_MO", "CON_QY1_MO", "UNIT_QY1", "RP",
              "LAST_UPDATE", "time", "COMM_LVL"]
    requested = request.args["get"].split(",")
    header = requested + [p for p in ("time", "COMM_LVL", "CTY_CODE") if p not in requested]
    values = {"CTY_CODE": "5880", "CTY_NAME": "JAPAN", "I_COMMODITY": "8703230190",
              "time": request.args["time"], "COMM_LVL": request.args["COMM_LVL"],
              "UNIT_QY1": "NO", "LAST_UPDATE": "2025-11-04"}
    row = [values.get(name, "1") for name in header]
    return Response(json.dumps([header, row]), content_type="application/json")


def test_retry_after_is_announced_with_what_and_until_when(httpserver, tmp_path, caplog,
                                                           fast_progress):
    caplog.set_level(logging.WARNING, logger="pipelines.wait")
    calls = []

    def handle(request: Request) -> Response:
        calls.append(request)
        if len(calls) == 1:
            return Response("slow down", status=429, headers={"Retry-After": "1"})
        return _answer(request)

    httpserver.expect_request("/imports/hs").respond_with_handler(handle)
    http.reset_budget(60)
    (answer,) = _census(httpserver, tmp_path).fetch_month("imports_hs", "2025-09", ["5880"],
                                                          ["87"])
    assert answer.row_count == 1 and len(calls) == 2
    lines = _wait_lines(caplog)
    assert lines[0].startswith("waiting for Census imports/hs ")
    assert "I_COMMODITY=87" in lines[0] and "Retry-After 1 s on HTTP 429" in lines[0]
    assert "until" in lines[0] and "TARIFF_AUDIT_HTTP_BUDGET=60 s" in lines[0]
    assert all(KEY not in line for line in lines) and "key=***" in lines[0]


def test_a_retry_after_beyond_the_budget_ends_naming_source_and_request(httpserver, tmp_path,
                                                                         caplog):
    caplog.set_level(logging.DEBUG)
    httpserver.expect_request("/imports/hs").respond_with_handler(
        lambda r: Response("busy", status=503, headers={"Retry-After": "3600"}))
    http.reset_budget(5)
    with pytest.raises(SourceError) as refused:
        _census(httpserver, tmp_path).fetch_month("imports_hs", "2025-09", ["5880"], ["87"])
    message = str(refused.value)
    assert message.startswith("Census imports/hs: ") and "I_COMMODITY=87" in message
    assert "TARIFF_AUDIT_HTTP_BUDGET=5 s" in message and "Retry-After 300 s" not in message
    assert refused.value.verdict is Verdict.LATER  # not split into smaller requests: out of time
    ours = [r.getMessage() for r in caplog.records if r.name.startswith(("pipelines", "urllib3"))]
    assert KEY not in message and not any(KEY in line for line in ours)


def test_a_slow_answer_prints_progress_while_it_comes(tmp_path, caplog, fast_progress):
    from pytest_httpserver import HTTPServer

    caplog.set_level(logging.WARNING, logger="pipelines.wait")

    def slow(request: Request) -> Response:
        time.sleep(1.2)
        return _answer(request)

    server = HTTPServer(threaded=True)
    server.expect_request("/imports/hs").respond_with_handler(slow)
    server.start()
    try:
        http.reset_budget(60)
        (answer,) = _census(server, tmp_path).fetch_month("imports_hs", "2025-09", ["5880"],
                                                          ["87"])
    finally:
        server.clear()
        server.stop()
    assert answer.row_count == 1
    lines = _wait_lines(caplog)
    assert len(lines) >= 2, lines
    assert "answer pending since" in lines[0] and "I_COMMODITY=87" in lines[0]
    assert lines[1].startswith("still waiting for Census imports/hs")
    assert all(KEY not in line for line in lines)


def test_a_spent_budget_stops_the_next_request_before_it_is_sent(httpserver, tmp_path):
    httpserver.expect_request("/imports/hs").respond_with_handler(_answer)
    http.reset_budget(0.01)
    time.sleep(0.05)
    with pytest.raises(SourceError) as refused:
        _census(httpserver, tmp_path).fetch_month("imports_hs", "2025-09", ["5880"], ["87"])
    assert "TARIFF_AUDIT_HTTP_BUDGET" in str(refused.value)
    assert httpserver.log == []  # nothing was asked


@pytest.fixture(autouse=True)
def _restore_budget():
    yield
    http.reset_budget()


# --- settings from the environment -------------------------------------------------------------

@pytest.mark.parametrize("name, value, expected", [
    ("TARIFF_AUDIT_HTS_SINCE", "2025-13-01", "YYYY-MM-DD"),
    ("TARIFF_AUDIT_HTS_SINCE", "Jan 2025", "YYYY-MM-DD"),
    ("TARIFF_AUDIT_WAREHOUSE_WAIT", "ten minutes", "seconds"),
    ("TARIFF_AUDIT_HTTP_BUDGET", "-5", "seconds"),
    ("TARIFF_AUDIT_DUCKDB_MEMORY", "lots", "2GB"),
    ("TARIFF_AUDIT_COUNTRIES", "Japan", "4 digits"),
    ("TARIFF_AUDIT_CENSUS_BASE_URL", "api.census.gov/data", "http://"),
    ("TARIFF_AUDIT_LEDGER_DIR", "/nonexistent/ledger", "an existing directory"),
])
def test_a_malformed_setting_names_the_variable_and_the_format(monkeypatch, name, value,
                                                               expected):
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.SettingError) as bad:
        settings.check_environment()
    message = str(bad.value)
    assert message.startswith(f"{name}={value!r}") and expected in message
    assert "\n" not in message


def test_the_release_date_setting_is_checked_where_it_is_read(monkeypatch):
    monkeypatch.setenv("TARIFF_AUDIT_HTS_SINCE", "2025/01/01")
    with pytest.raises(settings.SettingError, match="TARIFF_AUDIT_HTS_SINCE='2025/01/01'"):
        SourceResource().since()
    monkeypatch.setenv("TARIFF_AUDIT_HTS_SINCE", "2025-03-01")
    assert SourceResource().since() == date(2025, 3, 1)


# --- the live sources' base URLs from the environment ------------------------------------------

def test_every_live_base_url_comes_from_the_environment(httpserver, sample_snapshot, tmp_path,
                                                        monkeypatch):
    """The resource's clients ask the local server named by TARIFF_AUDIT_*_URL and land what it
    answers, for USITC, Census, the Federal Register and FRED; e-Stat's client takes its own."""
    for name, path in (("TARIFF_AUDIT_CENSUS_BASE_URL", "/census"),
                       ("TARIFF_AUDIT_HTS_RESTSTOP_URL", "/reststop"),
                       ("TARIFF_AUDIT_HTS_FILES_URL", "/files"),
                       ("TARIFF_AUDIT_FEDERAL_REGISTER_URL", "/fr"),
                       ("TARIFF_AUDIT_FRED_URL", "/fred/fredgraph.csv"),
                       ("TARIFF_AUDIT_ESTAT_URL", "/estat")):
        monkeypatch.setenv(name, httpserver.url_for(path))
    monkeypatch.setenv("TARIFF_AUDIT_LANDING", str(tmp_path / "landing"))
    listing = json.loads((sample_snapshot / "hts" / "releaseList.json").read_text())
    httpserver.expect_request("/reststop/releaseList").respond_with_json(
        [r for r in listing if r["name"] == "2025HTSRev23"])
    httpserver.expect_request("/files/hts_2025_revision_23_json.json").respond_with_data(
        gzip.decompress((sample_snapshot / "hts" / "2025HTSRev23.json.gz").read_bytes()),
        content_type="application/json")
    httpserver.expect_request("/census/imports/hs").respond_with_handler(_answer)
    document = sample_snapshot / "federal_register" / "documents" / "2025-05930.json"
    httpserver.expect_request("/fr/documents/2025-05930.json").respond_with_data(
        document.read_bytes(), content_type="application/json")
    httpserver.expect_request("/fred/fredgraph.csv").respond_with_data(
        (sample_snapshot / "fx" / "DEXJPUS.csv").read_bytes(), content_type="text/csv")
    source = SourceResource(source="live", census_api_key=KEY, countries="5880")
    http.reset_budget(120)
    landing = source.mode().root
    assert source.release_list_file().exists()
    assert source.release_file("2025HTSRev23").stat().st_size > 0
    assert source.census_client().fetch_month("imports_hs", "2025-09", ["5880"], ["87"])
    assert source.federal_register_client().document("2025-05930")["document_number"] == \
        "2025-05930"
    assert source.fx_file("DEXJPUS").read_bytes() == (sample_snapshot / "fx" /
                                                     "DEXJPUS.csv").read_bytes()
    asked = {entry[0].path for entry in httpserver.log}
    assert {"/reststop/releaseList", "/files/hts_2025_revision_23_json.json",
            "/census/imports/hs", "/fr/documents/2025-05930.json",
            "/fred/fredgraph.csv"} <= asked
    assert (landing / "census" / "imports_hs" / "2025-09").is_dir()
    assert EStatClient().base_url == httpserver.url_for("/estat").rstrip("/")


def test_every_setting_is_documented_in_env_example_and_readme():
    from pipelines.lib.paths import project_root

    example = (project_root() / ".env.example").read_text(encoding="utf-8")
    readme = (project_root() / "README.md").read_text(encoding="utf-8")
    for name in map(settings.variable, settings.Settings.model_fields):
        assert f"{name}=" in example, name
        assert f"`{name}`" in readme, name
