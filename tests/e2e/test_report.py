"""The audit report built by its asset from a warehouse of the sample, opened in a real headless
Chromium with the network off: every section rendered, every chart an SVG with marks, every
table with rows, no console error, no request leaving the file, the synthetic banner only for
the sample, under 5 MB, and the same bytes when rebuilt (apart from the generated-at line).

The full-page screenshot is kept in ``test-artifacts/`` (``TARIFF_AUDIT_TEST_ARTIFACTS``)."""

import os
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.cli import LEDGER, MARTS, REPORT, SCHEDULE, TRADE, run_assets
from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.lib.report.render import BANNER, GENERATED_PREFIX
from pipelines.lib.rules.scorecard import latest_rows, row_titles
from tests.e2e.browser import Page, chromium_path

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TARIFF_AUDIT_TEST_ARTIFACTS", ROOT / "test-artifacts"))
MONTHS = ["2025-01-01", "2026-09-01"]  # every legal phase of the sample's story
SECTIONS = ["verdict", "effective-rate", "sectors", "partners", "dollars", "timeline",
            "commitments", "quality", "method"]


@pytest.fixture(scope="module")
def built(sample_snapshot: Path, tmp_path_factory):
    """A warehouse of the sample and the report its asset writes, in a temporary data dir."""
    data = tmp_path_factory.mktemp("data")
    (data / "sample_snapshot").symlink_to(sample_snapshot)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TARIFF_AUDIT_DATA", str(data))
        resources = {"source": SourceResource(source="sample"),
                     "warehouse": WarehouseResource(database=str(data / "warehouse.duckdb"))}
        instance = dg.DagsterInstance.ephemeral()
        for selection, keys in ((LEDGER, None), (["raw/hts_releases"], None)):
            assert run_assets(instance, selection, keys, resources).success
        releases = instance.get_dynamic_partitions("hts_release")
        assert run_assets(instance, SCHEDULE, [releases[0], releases[-1]], resources).success
        assert run_assets(instance, TRADE, MONTHS, resources).success
        assert run_assets(instance, MARTS, None, resources).success
        result = run_assets(instance, REPORT, None, resources)
        assert result.success
        yield {"data": data, "instance": instance, "resources": resources, "result": result,
               "snapshot": sample_snapshot}


def _report(built) -> Path:
    [event] = built["result"].get_asset_materialization_events()
    return Path(event.materialization.metadata["path"].value)


def test_the_asset_writes_both_files_with_headline_metadata(built):
    [event] = built["result"].get_asset_materialization_events()
    metadata = event.materialization.metadata
    path = Path(metadata["path"].value)
    assert path.name == "tariff-audit-2026-09.html"
    assert path.parent == built["data"] / "reports"
    latest = Path(metadata["latest"].value)
    assert latest.name == "latest.html" and latest.read_bytes() == path.read_bytes()
    assert metadata["open"].value == path.resolve().as_uri()
    assert metadata["as_of"].value == "2026-09"
    assert metadata["synthetic"].value == "True"
    assert "of the value of goods with a promise" in metadata["us_summary"].value
    assert metadata["size_bytes"].value == len(path.read_bytes())


def test_report_is_under_5_mb(built):
    assert _report(built).stat().st_size < 5_000_000


@pytest.fixture(scope="module")
def page(built, tmp_path_factory):
    if chromium_path() is None:
        pytest.skip("Debian package chromium is not installed (apt-get install chromium)")
    tab = Page(tmp_path_factory.mktemp("chromium"))
    try:
        tab.open(_report(built).as_uri())
        yield tab
    finally:
        tab.close()


def test_chromium_renders_every_section_offline(page, built):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = page.screenshot(ARTIFACTS / "report-full-page.png", full_page=True)
    assert shot.stat().st_size > 50_000
    assert page.console_errors() == []
    assert page.requests() == [_report(built).as_uri()], "the page fetched something"
    ids = page.evaluate("[...document.querySelectorAll('section.section')].map(s => s.id)")
    assert ids == SECTIONS


def test_every_chart_is_an_svg_with_marks(page):
    charts = page.evaluate("""[...document.querySelectorAll('figure.chart')].map(f => ({
        id: f.id, svgs: f.querySelectorAll('svg').length,
        marks: [...f.querySelectorAll('svg g.role-mark')]
               .filter(g => g.querySelector('path, rect, line, circle, text')).length,
        text: f.querySelector('svg') ? f.querySelector('svg').textContent : ''}))""")
    ids = {c["id"] for c in charts}
    assert {"chart-rates", "chart-sectors", "chart-partners", "chart-dollars-monthly",
            "chart-dollars-chapters", "chart-timeline"} <= ids
    for chart in charts:
        assert chart["svgs"] == 1, chart["id"]
        assert chart["marks"] >= 1, f"{chart['id']} has no drawn marks"
        assert BANNER.upper() in chart["text"], f"{chart['id']} lacks the synthetic banner"


def test_every_table_has_rows(page):
    tables = page.evaluate("""[...document.querySelectorAll('table.data')].map(t => ({
        id: t.id, rows: t.tBodies[0].rows.length}))""")
    assert len(tables) >= 10
    for table in tables:
        assert table["rows"] >= 1, table["id"]


def test_first_screen_answers_the_question(page):
    """The verdict section starts on the first screen, with both sides and one item per
    commitment of the scorecard's latest quarter, its status word and its target."""
    top = page.evaluate("document.getElementById('verdict').getBoundingClientRect().top")
    assert top < 400
    text = page.evaluate("document.getElementById('verdict').innerText")
    assert "United States" in text and "Japan" in text
    assert "marts.implementation_scorecard" not in text  # the scorecard is there, not missing
    # the verdict in words opens each side, above the fold
    verdict = page.evaluate("""[...document.querySelectorAll('#verdict .verdict-text')].map(
        p => ({text: p.innerText, top: p.getBoundingClientRect().top}))""")
    assert [v["text"].split(",")[0] for v in verdict] == ["United States", "Japan"]
    assert all(v["top"] < 900 for v in verdict)
    assert "Monitored only, with no agreed numeric target" in verdict[0]["text"]
    banners = page.evaluate("document.querySelectorAll('.banner').length")
    assert banners == len(SECTIONS)  # the page's own and one per section after the first


def test_the_verdict_lists_every_commitment_of_the_latest_quarter(built, page):
    with duckdb.connect(str(built["data"] / "warehouse.duckdb"), read_only=True) as con:
        rows = latest_rows(con)
    items = page.evaluate("""[...document.querySelectorAll('#verdict li.verdict')].map(li => ({
        word: li.querySelector('.pill').innerText,
        what: li.querySelector('.what b').innerText}))""")
    assert len(rows) >= 10 and len(items) == len(rows)
    # one item per row: the commitment's title, with the tranche, source or mineral group
    assert sorted(i["what"] for i in items) == sorted(row_titles(rows))
    statuses = {row["status"] for row in rows}
    assert len(statuses) >= 3  # the sample exercises several statuses
    words = {i["word"].lower() for i in items}
    assert len(words) == len(statuses)


def test_rebuild_gives_the_same_bytes_apart_from_the_generated_line(built):
    first = _report(built).read_text(encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TARIFF_AUDIT_DATA", str(built["data"]))
        assert run_assets(built["instance"], REPORT, None, built["resources"]).success
    second = _report(built).read_text(encoding="utf-8")
    pattern = re.compile(rf"^.*{GENERATED_PREFIX}.*$", re.MULTILINE)
    assert len(pattern.findall(first)) == 1
    assert pattern.sub("", first) == pattern.sub("", second)


def test_no_banner_for_a_snapshot_that_is_not_the_sample(built, tmp_path):
    # The report labels what the warehouse was built from (raw.warehouse_source), whatever the
    # step is configured with: a copy recorded as built from a snapshot directory.
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built["data"] / "warehouse.duckdb", warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE raw.warehouse_source SET kind = 'snapshot', root = ?",
                    [str(built["snapshot"])])
    resources = {"source": SourceResource(source=str(built["snapshot"])),
                 "warehouse": WarehouseResource(database=str(warehouse))}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TARIFF_AUDIT_DATA", str(tmp_path))  # the report lands here
        result = run_assets(built["instance"], REPORT, None, resources)
    assert result.success
    [event] = result.get_asset_materialization_events()
    html = Path(event.materialization.metadata["path"].value).read_text(encoding="utf-8")
    assert BANNER not in html and BANNER.upper() not in html
    assert 'class="banner"' not in html
    assert "snapshot — a replay of a saved snapshot directory" in html
    if chromium_path() is not None:
        tab = Page(tmp_path / "chromium")
        try:
            tab.open(Path(event.materialization.metadata["path"].value).as_uri())
            assert tab.evaluate("document.querySelectorAll('.banner').length") == 0
            assert tab.evaluate("document.querySelectorAll('figure.chart svg').length") >= 6
            assert tab.console_errors() == []
        finally:
            tab.close()
