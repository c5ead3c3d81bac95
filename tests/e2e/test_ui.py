"""The real Dagster webserver serves the code location, and a real headless Chromium renders the
asset graph page. Skips with a reason when Chromium is not installed (Debian package chromium)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
ASSETS = {"raw/hts_releases", "raw/hts_records", "staging/hts_lines", "staging/hts_chapter99",
          "raw/census_imports", "raw/census_exports", "staging/imports_monthly",
          "staging/exports_monthly", "marts/effective_rates_monthly"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")
    shutil.copy(ROOT / "dagster_home" / "dagster.yaml", home / "dagster.yaml")
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home),
           "TARIFF_AUDIT_DATA": str(tmp_path_factory.mktemp("data"))}
    env.pop("TARIFF_AUDIT_SOURCE", None)
    log = open(home / "webserver.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [sys.executable, "-m", "dagster_webserver", "-w", str(ROOT / "workspace.yaml"),
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/server_info", timeout=2):
                break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail(f"webserver did not answer in 90 s: {(home / 'webserver.log').read_text()}")
    if proc.poll() is not None:
        pytest.fail(f"webserver exited: {(home / 'webserver.log').read_text()}")
    yield url, env
    proc.terminate()
    proc.wait(timeout=20)
    log.close()


def _graphql(url: str, query: str) -> dict:
    request = urllib.request.Request(f"{url}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


def test_webserver_serves_the_asset_graph(webserver):
    data = _graphql(webserver[0], """{ assetNodes { assetKey { path } groupName
        dependencyKeys { path } } }""")
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["data"]["assetNodes"]}
    assert ASSETS <= set(nodes)
    assert nodes["staging/hts_lines"]["dependencyKeys"] == [{"path": ["raw", "hts_records"]}]
    assert nodes["marts/effective_rates_monthly"]["groupName"] == "indicators"


def test_chromium_renders_the_asset_catalog(webserver, tmp_path):
    webserver = webserver[0]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian package chromium is not installed (apt-get install chromium)")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=60000"]
    wanted = ("hts_lines", "imports_monthly", "effective_rates_monthly", "japan_line_audit")
    for _ in range(3):  # the single-page app may need longer than the budget on a busy machine
        # The catalog is a virtualized list: a tall window renders every row.
        dom = subprocess.run([chromium, *flags, "--window-size=1400,5000", "--dump-dom",
                              f"{webserver}/assets"],
                             capture_output=True, text=True, timeout=120).stdout
        if all(name in dom for name in wanted):
            break
        time.sleep(5)
    (tmp_path / "assets.html").write_text(dom)
    for name in wanted:
        assert name in dom, f"{name} not rendered on /assets (DOM in {tmp_path / 'assets.html'})"
    shot = tmp_path / "graph.png"
    subprocess.run([chromium, *flags, "--window-size=1400,900", f"--screenshot={shot}",
                    f"{webserver}/asset-groups"], capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000


def test_a_failing_blocking_check_shows_and_stops_downstream(webserver, sample_snapshot,
                                                              tmp_path):
    """A bad month run by `make run`'s code path against the webserver's instance: the UI's
    API shows the failed blocking check and no materialization of the downstream marts by the
    failing run; the CLI then rebuilds the marts from the months committed before the bad one
    (so they agree with staging) and says so in its last line."""
    url, env = webserver
    snapshot = tmp_path / "snapshot"
    shutil.copytree(sample_snapshot, snapshot)
    for path in (snapshot / "census" / "imports_hs" / "2025-10").glob("CTY_CODE=5880_*"):
        rows = json.loads(path.read_text())
        con, dut = rows[0].index("CON_VAL_MO"), rows[0].index("DUT_VAL_MO")
        for row in rows[1:]:
            row[dut] = str(int(row[con]) * 2 + 1)  # dutiable value above customs value
        path.write_text(json.dumps(rows))
    run = subprocess.run([sys.executable, "-m", "pipelines.cli", "run"], cwd=ROOT,
                         env={**env, "TARIFF_AUDIT_SOURCE": str(snapshot)},
                         capture_output=True, text=True, timeout=600)
    assert run.returncode != 0
    assert "dutiable_within_customs_value" in run.stderr + run.stdout
    assert "what it loaded before the failure is kept and the marts were rebuilt from it" in \
        run.stderr.strip().splitlines()[-1]
    data = _graphql(url, """{
        check: assetCheckExecutions(assetKey: {path: ["staging", "imports_monthly"]},
                                    checkName: "expectations", limit: 1) {
            runId status evaluation { success
                metadataEntries { label ... on JsonMetadataEntry { jsonString } } } }
        marts: assetNodes(assetKeys: [{path: ["marts", "japan_line_audit"]},
                                      {path: ["marts", "effective_rates_monthly"]}]) {
            assetKey { path } assetMaterializations(limit: 1) { runId } }
        upstream: assetNodes(assetKeys: [{path: ["raw", "hts_records"]}]) {
            assetMaterializations(limit: 1) { runId } } }""")["data"]
    assert data["check"][0]["status"] == "FAILED"
    assert data["check"][0]["evaluation"]["success"] is False
    (results,) = [json.loads(e["jsonString"]) for e in data["check"][0]["evaluation"][
        "metadataEntries"] if e["label"] == "results"]
    failed = {r["contract"] for r in results if not r["passed"]}
    assert "dutiable_within_customs_value" in failed, failed
    failing = data["check"][0]["runId"]
    assert all(node["assetMaterializations"][0]["runId"] != failing for node in data["marts"])
    assert data["upstream"][0]["assetMaterializations"] != []  # the run did get that far
