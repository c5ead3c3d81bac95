"""The UI flow and concurrency, as users meet them: `dg dev` (webserver and daemon) on a free port
with a temporary DAGSTER_HOME; a job launched through the webserver's GraphQL API (the Launch
button's call); `make run` and the UI's "Materialize all" launched at the same moment while a
reader polls the published copy every 0.2 s; a backfill of three months; a schedule turned on
and a tick evaluated for a given time; the asset graph in headless Chromium (screenshot kept in
test-artifacts/). Skips the browser part with the reason when Chromium is not installed."""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg
import pytest

from tests.e2e.browser import Page, chromium_path

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
ARTIFACTS = ROOT / "test-artifacts"
LOCATION = "tariff_audit"
REPOSITORY = "__repository__"
CENSUS = [["raw", "census_imports"], ["staging", "imports_monthly"], ["raw", "census_exports"],
          ["staging", "exports_monthly"]]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dev:
    def __init__(self, url: str, env: dict, home: Path, data: Path, log: Path):
        self.url, self.env, self.home, self.data, self.log = url, env, home, data, log

    def graphql(self, query: str, variables: dict | None = None) -> dict:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(f"{self.url}/graphql", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as answer:
            payload = json.load(answer)
        assert "errors" not in payload, payload["errors"]
        return payload["data"]

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))

    def wait_run(self, run_id: str, timeout: float = 600) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.graphql("""query($id: ID!) { runOrError(runId: $id) {
                ... on Run { status } } }""", {"id": run_id})["runOrError"]["status"]
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                return status
            time.sleep(2)
        raise AssertionError(f"run {run_id} did not finish in {timeout} s")

    def wait_backfill(self, backfill_id: str, timeout: float = 900) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status = self.graphql("""query($id: String!) { partitionBackfillOrError(
                backfillId: $id) { ... on PartitionBackfill { status } } }""",
                                  {"id": backfill_id})["partitionBackfillOrError"]["status"]
            if status in ("COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED",
                          "CANCELED"):
                return status
            time.sleep(3)
        raise AssertionError(f"backfill {backfill_id} did not finish in {timeout} s")

    def backfill(self, asset_keys: list[list[str]], partitions: list[str] | None) -> str:
        params = {"assetSelection": [{"path": k} for k in asset_keys]}
        if partitions is None:
            params["allPartitions"] = True
        else:
            params["partitionNames"] = partitions
        answer = self.graphql("""mutation($p: LaunchBackfillParams!) {
            launchPartitionBackfill(backfillParams: $p) {
                __typename ... on LaunchBackfillSuccess { backfillId }
                ... on PythonError { message } } }""", {"p": params})
        result = answer["launchPartitionBackfill"]
        assert result["__typename"] == "LaunchBackfillSuccess", result
        return result["backfillId"]


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    home, data = tmp_path_factory.mktemp("dagster_home"), tmp_path_factory.mktemp("data")
    # the project's instance settings (pool limit, slot release), and a code server that may
    # take longer than the default 180 s to import the code location on a loaded machine
    (home / "dagster.yaml").write_text((ROOT / "dagster_home" / "dagster.yaml").read_text()
                                       + "code_servers:\n  local_startup_timeout: 900\n")
    env = {**os.environ, "DAGSTER_HOME": str(home), "TARIFF_AUDIT_DATA": str(data)}
    for name in ("TARIFF_AUDIT_SOURCE", "TARIFF_AUDIT_WAREHOUSE", "TARIFF_AUDIT_PUBLISHED"):
        env.pop(name, None)
    # the sample exists before two runs start at once (each would otherwise generate it)
    subprocess.run([sys.executable, "-m", "pipelines.sample.generate",
                    str(data / "sample_snapshot")], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    port = _free_port()
    log = home / "dg_dev.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(BIN / "dg"), "dev", "-w", str(ROOT / "workspace.yaml"),
                                 "--host", "127.0.0.1", "--port", str(port)], cwd=ROOT,
                                env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Dev(f"http://127.0.0.1:{port}", env, home, data, log)
    try:
        deadline = time.monotonic() + 900  # readiness, not a timing target
        while True:
            try:
                names = server.graphql("""{ repositoriesOrError { ... on RepositoryConnection {
                    nodes { name location { name } } } } }""")
                if names["repositoriesOrError"]["nodes"]:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"dg dev did not serve the code location: {log.read_text()[-3000:]}")
            time.sleep(1)
        yield server
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # dg dev stops the webserver and daemon on SIGINT
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(2)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # any child that outlived its parent
        except ProcessLookupError:
            pass


READER = textwrap.dedent("""
    import os, sys, time, duckdb
    path, stop = sys.argv[1], sys.argv[2]
    reads = errors = absent = 0
    while not os.path.exists(stop):
        if not os.path.exists(path):
            absent += 1
        else:
            try:
                with duckdb.connect(path, read_only=True) as con:
                    con.execute("SELECT count(*) FROM marts.japan_line_audit").fetchall()
                    con.execute("SELECT published_at FROM meta.about").fetchall()
                reads += 1
            except Exception as error:
                errors += 1
                print("ERROR", type(error).__name__, error, file=sys.stderr, flush=True)
        time.sleep(0.2)
    print(reads, errors, absent)
""")


def _launch_job(dev: Dev, job: str) -> str:
    answer = dev.graphql("""mutation($p: ExecutionParams!) {
        launchPipelineExecution(executionParams: $p) {
            __typename ... on LaunchRunSuccess { run { runId } }
            ... on PythonError { message } ... on InvalidSubsetError { message } } }""",
                         {"p": {"selector": {"repositoryLocationName": LOCATION,
                                             "repositoryName": REPOSITORY, "jobName": job},
                                "runConfigData": {}, "mode": "default"}})
    result = answer["launchPipelineExecution"]
    assert result["__typename"] == "LaunchRunSuccess", result
    return result["run"]["runId"]


def _step_windows(instance: dg.DagsterInstance) -> list[tuple[float, float, str, str]]:
    """(start, end, run id, step) of every step that ran, from the instance's event log."""
    windows = []
    for run in instance.get_runs():
        started: dict[str, float] = {}
        for entry in instance.all_logs(run.run_id):
            event = entry.dagster_event
            if event is None or event.step_key is None:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                started[event.step_key] = entry.timestamp
            elif event.event_type in (dg.DagsterEventType.STEP_SUCCESS,
                                      dg.DagsterEventType.STEP_FAILURE):
                windows.append((started[event.step_key], entry.timestamp, run.run_id,
                                event.step_key))
    return windows


def test_launch_then_cli_and_ui_full_runs_at_once_while_a_reader_polls(dev):
    # 1. the Launch button: the reference job registers the source's release partitions
    assert dev.wait_run(_launch_job(dev, "reference_refresh")) == "SUCCESS"
    with dev.instance() as instance:
        assert len(instance.get_dynamic_partitions("hts_release")) == 5
    published = dev.data / "published" / "warehouse.duckdb"
    stop = dev.home / "stop-reader"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(published), str(stop)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # 2. at the same moment: `make run`'s command and the UI's "Materialize all"
    cli = subprocess.Popen([sys.executable, "-m", "pipelines.cli", "run"], cwd=ROOT,
                           env=dev.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    launched = time.time()
    everything = [n["assetKey"]["path"] for n in dev.graphql(
        "{ assetNodes { assetKey { path } } }")["assetNodes"]]
    backfill = dev.backfill(everything, None)
    cli_out, _ = cli.communicate(timeout=1200)
    cli_done = time.time()
    status = dev.wait_backfill(backfill)
    stop.write_text("stop")
    reader_out, reader_err = reader.communicate(timeout=60)
    (ARTIFACTS).mkdir(exist_ok=True)
    (ARTIFACTS / "concurrency-cli.log").write_text(cli_out)
    assert cli.returncode == 0, cli_out[-3000:]
    assert status in ("COMPLETED", "COMPLETED_SUCCESS"), status
    with dev.instance() as instance:
        records = instance.get_run_records(dg.RunsFilter(tags={"dagster/backfill": backfill}))
        ui_runs = [r.dagster_run for r in records]
        assert ui_runs and all(r.is_success for r in ui_runs), [
            (r.job_name, r.status) for r in ui_runs]
        queued = min(r.create_timestamp.timestamp() for r in records)
        windows = _step_windows(instance)
    # one writer: no two steps of different runs ever overlapped ...
    windows.sort()
    for (_, e1, run1, step1), (s2, _, run2, step2) in zip(windows, windows[1:], strict=False):
        assert s2 >= e1 - 0.01 or run1 == run2, f"{step1} ({run1}) overlaps {step2} ({run2})"
    # ... although the UI's first run was queued while the CLI was writing: it waited its turn
    assert launched <= queued < cli_done, (launched, queued, cli_done)
    reads, errors, absent = map(int, reader_out.split())
    assert errors == 0, reader_err[-2000:]
    assert reads > 10
    logs = [cli_out, dev.log.read_text()] + [
        p.read_text(errors="replace") for p in dev.home.rglob("*") if p.is_file()
        and p.suffix in (".out", ".err", ".log")]
    assert not any("Could not set lock" in text for text in logs)
    print(f"reader: {reads} reads, {errors} errors, {absent} polls before the first publish; "
          f"{len(ui_runs)} UI runs; CLI {cli_done - launched:.0f} s")


def test_backfill_of_three_months_then_the_marts_and_the_copy_follow(dev):
    published = dev.data / "published" / "warehouse.duckdb"
    before = published.stat().st_mtime
    months = ["2026-07-01", "2026-08-01", "2026-09-01"]
    backfill = dev.backfill(CENSUS, months)
    assert dev.wait_backfill(backfill) in ("COMPLETED", "COMPLETED_SUCCESS")
    with dev.instance() as instance:
        runs = [r for r in instance.get_runs() if r.tags.get("dagster/backfill") == backfill]
        assert len(runs) == 1 and runs[0].is_success  # one run, one step: single-run policy
        assert runs[0].tags["dagster/asset_partition_range_start"] == months[0]
    # marts_follow_loads (running by default) rebuilds the marts and publishes a new copy
    deadline = time.monotonic() + 420
    while published.stat().st_mtime == before:
        assert time.monotonic() < deadline, "the published copy did not follow the backfill"
        time.sleep(5)


def test_a_schedule_turned_on_and_a_tick_evaluated_for_a_given_time(dev):
    selector = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY,
                "scheduleName": "nightly_census"}
    started = dev.graphql("""mutation($s: ScheduleSelector!) { startSchedule(
        scheduleSelector: $s) { __typename ... on ScheduleStateResult {
            scheduleState { status } } ... on PythonError { message } } }""", {"s": selector})
    assert started["startSchedule"]["scheduleState"]["status"] == "RUNNING", started
    tick = datetime(2026, 11, 25, 3, tzinfo=UTC).timestamp()
    answer = dev.graphql("""mutation($s: ScheduleSelector!, $t: Float) {
        scheduleDryRun(selectorData: $s, timestamp: $t) {
            __typename ... on DryRunInstigationTick { evaluationResult {
                runRequests { runKey tags { key value } } skipReason error { message } } }
            ... on PythonError { message } } }""", {"s": selector, "t": tick})
    result = answer["scheduleDryRun"]["evaluationResult"]
    assert result["error"] is None, result
    (request,) = result["runRequests"]
    tags = {t["key"]: t["value"] for t in request["tags"]}
    # the sample ends in September 2026: the tick asks for the last three months it has
    assert tags["dagster/asset_partition_range_start"] == "2026-07-01"
    assert tags["dagster/asset_partition_range_end"] == "2026-09-01"


def test_chromium_shows_the_groups_and_a_check_status(dev, tmp_path):
    if chromium_path() is None:
        pytest.skip("Debian package chromium is not installed (apt-get install chromium)")
    groups = ("legal", "tariff_schedule", "trade", "indicators", "audit", "published")
    text = "document.body ? document.body.innerText : ''"
    page = Page(tmp_path / "profile", width=1600, height=1000, local=True)
    try:
        page.open(f"{dev.url}/asset-groups")
        shown = page.wait_until(f"(t => {json.dumps(groups)}.every(g => t.includes(g)))"
                                f"({text})", timeout=180)
        assert shown, f"groups not shown on the asset graph: {page.evaluate(text)[:2000]}"
        # the first visit's newsletter dialog (shown a moment after the graph) would hide the
        # graph in the screenshot: skip it as a user would
        skip = ("[...document.querySelectorAll('button')].filter(b => "
                "b.innerText.trim() === 'Skip')")
        if page.wait_until(f"{skip}.length", timeout=30):
            page.evaluate(f"{skip}.forEach(b => b.click())")
            page.wait_until(f"!{skip}.length", timeout=30)
        time.sleep(1)
        ARTIFACTS.mkdir(exist_ok=True)
        shot = page.screenshot(ARTIFACTS / "asset-graph.png")
        assert shot.stat().st_size > 20_000
        page.open(f"{dev.url}/assets/staging/imports_monthly?view=checks")
        # a table's suite is one check, `expectations`
        checks = page.wait_until(f"(t => t.includes('expectations') && "
                                 f"/Passed|Succeeded/.test(t) && t)({text})", timeout=180)
        assert checks, f"no passed check shown: {page.evaluate(text)[:2000]}"
        page.screenshot(ARTIFACTS / "asset-checks.png")
    finally:
        page.close()
