"""Live mode end to end against a local server answering like the real APIs (the sample's files
served as USITC and Census answers): every answer lands unchanged in the landing directory in
the snapshot layout, the assets load it, and the API key never reaches a file, a table or a log.
"""

import gzip
import json
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from werkzeug import Request, Response

from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.lib.paths import project_root
from pipelines.stages import LEDGER, SCHEDULE, TRADE, run_assets

KEY = "live-test-key-0123456789"
MONTH = "2025-10"
RELEASE = "2025HTSRev23"


def _census_handler(sample: Path):
    def handle(request: Request) -> Response:
        endpoint = "imports_hs" if "/imports/hs" in request.path else "exports_hs"
        assert request.args.get("key") == KEY
        period, country = request.args["time"], request.args.get("CTY_CODE")
        month = sample / "census" / endpoint / period
        if request.args["COMM_LVL"] == "HS2":  # the month's chapter totals
            totals = month / f"CTY_CODE={country}_COMM_LVL=HS2.json"
            return (Response(totals.read_bytes(), content_type="application/json")
                    if totals.exists() else Response(status=204))
        prefix = (request.args.get("I_COMMODITY") or request.args["E_COMMODITY"]).rstrip("*")
        rows = None
        for path in sorted(month.glob(f"CTY_CODE={country}_*COMMODITY*.json")) + sorted(
                month.glob(f"CTY_CODE={country}.json")):
            answer = json.loads(path.read_text())
            at = answer[0].index("I_COMMODITY" if endpoint == "imports_hs" else "E_COMMODITY")
            body = [r for r in answer[1:] if r[at].startswith(prefix)]
            rows = (rows or [answer[0]]) + body
        if not rows or len(rows) == 1:
            return Response(status=204)  # the API's "no data for this query"
        return Response(json.dumps(rows), content_type="application/json;charset=utf-8")
    return handle


@pytest.fixture
def live(httpserver, sample_snapshot, tmp_path, monkeypatch):
    monkeypatch.setenv("CENSUS_API_KEY", KEY)
    listing = json.loads((sample_snapshot / "hts" / "releaseList.json").read_text())
    listing = [r for r in listing if r["name"] in ("2025HTSBasic", RELEASE)]
    httpserver.expect_request("/reststop/releaseList").respond_with_json(listing)
    export = gzip.decompress((sample_snapshot / "hts" / f"{RELEASE}.json.gz").read_bytes())
    httpserver.expect_request("/files/hts_2025_revision_23_json.json").respond_with_data(
        export, content_type="application/json")
    basic = gzip.decompress((sample_snapshot / "hts" / "2025HTSBasic.json.gz").read_bytes())
    httpserver.expect_request("/files/hts_2025_basic_edition_json.json").respond_with_data(
        basic, content_type="application/json")
    httpserver.expect_request(re.compile(r"^/census/.*")).respond_with_handler(
        _census_handler(sample_snapshot))
    landing = tmp_path / "landing"
    monkeypatch.setenv("TARIFF_AUDIT_LANDING", str(landing))
    source = SourceResource(
        source="live", census_api_key=KEY, countries="5880",
        census_base_url=httpserver.url_for("/census"),
        hts_reststop_url=httpserver.url_for("/reststop"), hts_files_url=httpserver.url_for(
            "/files"))
    warehouse = tmp_path / "warehouse.duckdb"
    return landing, {"source": source, "warehouse": WarehouseResource(database=str(warehouse))}


def _materialize(instance, resources, selection, keys=None):
    return run_assets(instance, selection, keys, resources, log_level="DEBUG")


def test_live_run_lands_every_answer_and_loads_it(live, sample_snapshot, caplog):
    landing, resources = live
    instance = dg.DagsterInstance.ephemeral()
    assert _materialize(instance, resources, LEDGER).success
    assert _materialize(instance, resources, ["raw/hts_releases"]).success
    assert instance.get_dynamic_partitions("hts_release") == ["2025HTSBasic", RELEASE]
    assert _materialize(instance, resources, SCHEDULE, [RELEASE, RELEASE]).success
    assert _materialize(instance, resources, TRADE, [f"{MONTH}-01", f"{MONTH}-01"]).success

    # the landing directory is a snapshot: releaseList, the export, one file per answer
    assert json.loads((landing / "hts" / "releaseList.json").read_text())[0]["name"]
    assert (landing / "hts" / f"{RELEASE}.json").read_bytes() == gzip.decompress(
        (sample_snapshot / "hts" / f"{RELEASE}.json.gz").read_bytes())
    answers = sorted((landing / "census" / "imports_hs" / MONTH).glob("*.json"))
    assert answers and all(p.name.startswith("CTY_CODE=5880_") for p in answers)
    assert (landing / "census" / "imports_hs" / MONTH / "CTY_CODE=5880_COMM_LVL=HS2.json"
            ).read_bytes() == (sample_snapshot / "census" / "imports_hs" / MONTH /
                               "CTY_CODE=5880_COMM_LVL=HS2.json").read_bytes()

    with duckdb.connect(resources["warehouse"].database, read_only=True) as con:
        staged = con.execute("SELECT count(*), sum(cal_dut) FROM staging.imports_monthly "
                             "WHERE cty_code = '5880'").fetchone()
        requests = [r for (r,) in con.execute(
            "SELECT DISTINCT request FROM raw.census_imports").fetchall()]
        dumped = "\n".join(str(row) for t in ("raw.census_imports", "raw.hts_releases")
                           for row in con.execute(f"SELECT * FROM {t}").fetchall())
    expected = [r for p in (sample_snapshot / "census" / "imports_hs" / MONTH).glob(
        "CTY_CODE=5880_I_COMMODITY=*.json") for r in json.loads(p.read_text())[1:]]
    assert staged[0] == len(expected)
    assert all(r.startswith(f"census/imports_hs/{MONTH}/") for r in requests)

    # the key reached the server but no file, table or log line
    files = [p for p in landing.rglob("*") if p.is_file()]
    assert all(KEY not in p.name and KEY.encode() not in p.read_bytes() for p in files)
    assert KEY not in dumped
    # (werkzeug's access log is the test server's, standing for the Census side)
    leaked = [r.getMessage()[:300] for r in caplog.records
              if KEY in r.getMessage() and r.name != "werkzeug"]
    assert not leaked, leaked


def test_a_retry_of_a_live_request_is_in_the_run_s_event_log(live, httpserver, tmp_path):
    """The project's dagster.yaml manages the pipelines.* loggers: the line saying that a
    request is retried reaches the run's events (the UI's run view), not only stderr."""
    _, resources = live
    httpserver.expect_oneshot_request("/reststop/releaseList").respond_with_response(
        Response("busy", status=503))  # once; then the fixture's answer
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(project_root() / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        result = _materialize(instance, resources, ["raw/hts_releases"])
        assert result.success
        lines = [entry.user_message for entry in instance.all_logs(result.run_id)
                 if not entry.is_dagster_event]
    retried = [line for line in lines if "retrying USITC HTS" in line]
    assert len(retried) == 1, lines
    assert "/reststop/releaseList" in retried[0] and "after HTTP 503" in retried[0]
