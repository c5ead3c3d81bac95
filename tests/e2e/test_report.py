"""The audit report built by its asset from a warehouse of the sample, opened in a real headless
Chromium with the network off: every section rendered, every chart an SVG with marks, every
table with rows, no console error, no request leaving the file, the synthetic banner only for
the sample, under 5 MB, and the same bytes when rebuilt (apart from the generated-at line).

The full-page screenshot is kept in ``test-artifacts/`` (``TARIFF_AUDIT_TEST_ARTIFACTS``)."""

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.lib.report.render import BANNER, GENERATED_PREFIX
from pipelines.lib.rules.scorecard import latest_rows, row_titles
from pipelines.stages import LEDGER, MARTS, REPORT, SCHEDULE, TRADE, run_assets
from tests.e2e.browser import Page, chromium_path

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
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
        word: li.querySelector('.pill').textContent.trim(),
        what: li.querySelector('.what b').textContent.trim()}))""")  # folded rows too
    assert len(rows) >= 10 and len(items) == len(rows)
    # one item per row: the commitment's title, with the tranche, source or mineral group
    assert sorted(i["what"] for i in items) == sorted(row_titles(rows))
    statuses = {row["status"] for row in rows}
    assert len(statuses) >= 3  # the sample exercises several statuses
    words = {i["word"].lower() for i in items}
    assert len(words) == len(statuses)
    # the monitored rows (no agreed target) are folded into one block under the scored ones
    folded = page.evaluate("""[...document.querySelectorAll('#verdict details.monitored')].map(
        d => ({open: d.open, words: [...d.querySelectorAll('li.verdict .pill')].map(
            p => p.textContent.trim().toLowerCase())}))""")
    monitored = sum(row["status"] == "monitored" for row in rows)
    assert monitored and sum(len(d["words"]) for d in folded) == monitored
    assert all(not d["open"] and set(d["words"]) == {"monitored"} for d in folded)


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


# --- text from the data stays text --------------------------------------------------------------

# Markup that would run or load something if the page took it as markup; {tag} says which field
# it was put in (digits and letters only: a chart may title-case a name or turn _ into spaces).
MARKUP = ('<script>window.xss="{tag}"</script><img src=x onerror="window.xss=1">'
          '<a href="javascript:window.xss=1">')
# Every free text of the warehouse that reaches the page: Census descriptions and names, HTS
# texts, the ledger's titles and labels as staged, the evidence, the quarantine's reasons and
# the provenance. The report reads these columns as they are, so the markup goes in there.
TEXT_FIELDS = [
    ("marts.japan_line_audit", "description"),          # Census I_COMMODITY_LDESC
    ("marts.effective_rates_monthly", "cty_name"),      # Census CTY_NAME
    ("marts.critical_minerals_dependence", "top_supplier"),
    ("marts.critical_minerals_dependence", "mineral_group"),
    ("raw.census_imports", "last_update"),
    ("marts.hts_revision_changes", "after_text"),       # HTS descriptions
    ("marts.unmodelled_provisions", "description"),
    ("marts.unmodelled_provisions", "reason"),
    ("staging.ledger_commitments", "title"),            # verdict, chart titles
    ("staging.ledger_provisions", "label"),             # timeline chart and table
    ("marts.implementation_scorecard", "indicator"),
    ("marts.implementation_scorecard", "evidence"),     # evidence.yaml events
    ("marts.implementation_scorecard", "judged_on"),    # the numbers in words
    ("marts.implementation_scorecard", "legal_basis"),  # instrument titles and rulings
    ("marts.investment_tranches", "tranche_id"),
    ("marts.investment_tranches", "projects"),
    ("quarantine.imports_monthly", "rule"),
    ("quarantine.imports_monthly", "field"),
    ("quarantine.imports_monthly", "reason"),
    ("raw.warehouse_source", "root"),                   # the provenance line
]
# The ledger's own texts, read when the report is rendered (the method section)
LEDGER_TEXT = ("title", "label", "description", "citation", "note", "event", "quote")
LEDGER_SHOWN = ("title", "label", "citation")


def _inject(con: duckdb.DuckDBPyConnection) -> None:
    """Put MARKUP into every column of TEXT_FIELDS (a quarantined row first: the sample has
    none)."""
    con.execute("""INSERT INTO quarantine.imports_monthly
        (period, vintage, request, fetched_at, rule, field, value, reason, record)
        VALUES (DATE '2026-09-01', now(), 'r', now(), '', '', NULL, '', '{}')""")
    for tag, (table, column) in enumerate(TEXT_FIELDS):
        schema, name = table.split(".")
        [(kind,)] = con.execute(
            "SELECT data_type FROM information_schema.columns WHERE table_schema = ? AND "
            "table_name = ? AND column_name = ?", [schema, name, column]).fetchall()
        value = f"list_prepend(?, {column})" if kind.endswith("[]") else f"? || {column}"
        con.execute(f"UPDATE {table} SET {column} = {value}", [MARKUP.format(tag=tag)])


def _markup_ledger(directory: Path) -> None:
    """A copy of the ledger with MARKUP in every free text and every link a javascript: URL."""
    import yaml

    from pipelines.lib.paths import LEDGER_DIR

    def edit(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in LEDGER_TEXT and isinstance(value, str):
                    node[key] = MARKUP.format(tag=key) + value
                elif key in ("url", "source_url") and value:
                    node[key] = 'javascript:window.xss="url"'
                else:
                    edit(value)
        elif isinstance(node, list):
            for value in node:
                edit(value)

    shutil.copytree(LEDGER_DIR, directory)
    for path in directory.glob("*.yaml"):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        edit(document)
        path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")


class _Markup(HTMLParser):
    """The elements, attributes and text (entities decoded) of a page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self.text += [value or "" for _, value in attrs]

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture(scope="module")
def markup_report(built, tmp_path_factory) -> Path:
    """The report of a copy of the warehouse with MARKUP in every text field, and of a copy of
    the ledger with MARKUP in every text and link."""
    tmp = tmp_path_factory.mktemp("markup")
    warehouse = tmp / "warehouse.duckdb"
    shutil.copy(built["data"] / "warehouse.duckdb", warehouse)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("UPDATE raw.warehouse_source SET kind = 'snapshot'")
        _inject(con)
    _markup_ledger(tmp / "ledger")
    resources = {"source": SourceResource(source=str(built["snapshot"])),
                 "warehouse": WarehouseResource(database=str(warehouse))}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TARIFF_AUDIT_DATA", str(tmp))  # the report lands here
        mp.setenv("TARIFF_AUDIT_LEDGER_DIR", str(tmp / "ledger"))
        result = run_assets(built["instance"], REPORT, None, resources)
    assert result.success
    [event] = result.get_asset_materialization_events()
    return Path(event.materialization.metadata["latest"].value)


def test_markup_in_the_data_reaches_the_page_as_text(markup_report):
    page = _Markup(markup_report.read_text(encoding="utf-8"))
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed"}, tags
    handlers = {name for _, attrs in page.tags for name in attrs if name.startswith("on")}
    assert not handlers, handlers
    links = [attrs.get("href") or "" for tag, attrs in page.tags if tag == "a"]
    assert links and not [href for href in links if not href.startswith(("#", "https://",
                                                                          "http://"))]
    text = "\n".join(page.text).lower()
    for tag in [*range(len(TEXT_FIELDS)), *LEDGER_SHOWN]:
        shown = f'<script>window.xss="{tag}"'
        field = TEXT_FIELDS[tag] if isinstance(tag, int) else f"ledger {tag}"
        assert shown in text, f"{field} does not reach the page as text"


def test_the_policy_forbids_script_and_the_page_needs_nothing_it_blocks(markup_report,
                                                                         tmp_path):
    if chromium_path() is None:
        pytest.skip("Debian package chromium is not installed (apt-get install chromium)")
    tab = Page(tmp_path / "chromium")
    try:
        tab.open(markup_report.as_uri())
        # what the markup would have set had it run
        assert tab.evaluate("typeof window.xss") == "undefined"
        assert tab.console_errors() == []  # nothing refused: the page loads nothing it bans
        assert tab.requests() == [markup_report.as_uri()]
        found = tab.evaluate("""({
            active: document.querySelectorAll('script, img, iframe, object, embed').length,
            handlers: [...document.querySelectorAll('*')].filter(e => [...e.attributes]
                .some(a => a.name.startsWith('on'))).length,
            javascript: document.querySelectorAll('a[href^="javascript"]').length,
            text: document.body.innerText,
            policy: document.querySelector('meta[http-equiv="Content-Security-Policy"]')
                ?.content})""")
        assert (found["active"], found["handlers"], found["javascript"]) == (0, 0, 0)
        assert '<script>window.xss="0"</script><img src=x onerror="window.xss=1">' in found["text"]
        assert "default-src 'none'" in found["policy"] and "script-src" not in found["policy"]
        # the policy is in force: a script added to the page does not run
        ran = tab.evaluate("""(() => { const s = document.createElement('script');
            s.textContent = 'window.ran = true'; document.head.append(s);
            return window.ran === true; })()""")
        assert ran is False
        assert any("Content Security Policy" in e for e in tab.console_errors())
    finally:
        tab.close()
