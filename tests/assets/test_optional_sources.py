"""Required and optional sources (``pipelines.lib.sources.snapshot.SOURCES``): a snapshot of
only the HTS releases and the Census imports builds the warehouse, the line audit and the report
through ``make run``'s CLI; each optional source removed from the sample leaves the steps that
read it succeeding with its warning, its tables as they were, and the marts saying what they
lack; a month with imports and no exports loads into a new warehouse."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from markupsafe import escape

from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.lib.sources.snapshot import SOURCES
from pipelines.stages import FEDERAL_REGISTER, JAPAN, TRADE
from tests.assets.conftest import _materialize
from tests.cli_harness import Cli, environment
from tests.helpers import table_checksums

pytestmark = pytest.mark.slow  # real CLIs run, killed and failed: make test-all

OPTIONAL = [key for key, source in SOURCES.items() if not source.required]
# the marts reading Japan's statistics and exchange rates, with what they need built before
JAPAN_MARTS = ["marts/mirror_trade", "marts/mirror_trade_distribution",
               "marts/critical_minerals_dependence", "marts/commitment_progress",
               "marts/implementation_scorecard"]


def _link(sample: Path, root: Path, keep) -> Path:
    """``root``: the sample's files for which ``keep(relative path)`` holds, linked."""
    for path in sample.rglob("*"):
        relative = path.relative_to(sample)
        if path.is_file() and keep(relative.as_posix()):
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    return root


def _logs(case, result) -> str:
    return "\n".join(entry.user_message for entry in case.instance.all_logs(result.run_id))


def _metadata(result, key: str) -> dict:
    event = next(e for e in result.get_asset_materialization_events()
                 if e.asset_key == dg.AssetKey.from_user_string(key))
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_the_declaration_requires_the_schedule_and_census_imports_only():
    assert {k for k, s in SOURCES.items() if s.required} == {"hts", "census_imports"}
    assert set(OPTIONAL) == {"census_exports", "federal_register", "fx", "japan_customs"}
    for key in OPTIONAL:
        warning = SOURCES[key].warning()
        assert warning.startswith(f"no {SOURCES[key].name} in this snapshot "
                                  f"({SOURCES[key].layout})") and "not measured" in warning


def test_a_snapshot_of_only_the_schedule_and_census_imports_runs(sample_snapshot, tmp_path):
    root = _link(sample_snapshot, tmp_path / "snapshot",
                 lambda p: p.startswith(("hts/", "census/imports_hs/")))
    out = Cli(environment(tmp_path, root), tmp_path / "run.log").finish(0)
    for key in OPTIONAL:  # a warning on the run, and again in the summary
        assert out.count(SOURCES[key].warning()) >= 2, SOURCES[key].warning()
        assert f"warning: {SOURCES[key].warning()}" in out
    assert "Traceback" not in out and "FAILED" not in out
    data = tmp_path / "data"
    with duckdb.connect(str(data / "published" / "warehouse.duckdb"), read_only=True) as con:
        count = lambda table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: E731
        assert count("marts.japan_line_audit") > 0
        assert count("marts.effective_rates_monthly") > 0
        for key in OPTIONAL:  # created with their schema, empty
            for table in SOURCES[key].tables:
                if table.startswith("staging."):
                    assert count(table) == 0, table
        purchases = con.execute(
            "SELECT status, judged_on FROM marts.implementation_scorecard"
            " WHERE quarter = (SELECT max(quarter) FROM marts.implementation_scorecard)"
            " AND commitment_id IN (SELECT commitment_id FROM staging.ledger_commitments"
            " WHERE measure = 'purchases')").fetchall()
    assert purchases and {status for status, _ in purchases} == {"not_measurable"}
    reasons = {SOURCES[k].absence() for k in ("census_exports", "fx", "japan_customs")}
    for _, judged_on in purchases:  # each row says which source it lacks
        assert any(reason in judged_on for reason in reasons), judged_on
    html = (data / "reports" / "latest.html").read_text()
    for key in ("census_exports", "fx", "japan_customs"):  # the commitments section says so
        assert f'data-missing-source="{SOURCES[key].table}"' in html
        assert str(escape(SOURCES[key].warning())) in html
    for key in OPTIONAL:  # and the data quality section lists each among the sources
        assert str(escape(f"{SOURCES[key].name} ({SOURCES[key].layout})")) in html


def test_without_federal_register_documents_the_discrepancies_are_skipped(case):
    shutil.rmtree(case.root / "federal_register")
    result = case.run(FEDERAL_REGISTER)
    assert result.success
    warning = SOURCES["federal_register"].warning()
    assert warning in _logs(case, result)
    for key in ("raw/federal_register_documents", "staging/federal_register_documents"):
        metadata = _metadata(result, key)
        assert metadata["missing_source"] == warning and metadata["dagster/row_count"] == 0
    assert _metadata(result, "marts/ledger_discrepancies")["skipped"] == warning
    # the ledger's instruments are not listed as "no record": nothing was compared
    assert _metadata(result, "marts/ledger_discrepancies")["dagster/row_count"] == 0


def test_a_federal_register_loaded_before_stays_when_the_snapshot_drops_it(case):
    assert case.run(FEDERAL_REGISTER).success
    before = table_checksums(case.warehouse)
    shutil.rmtree(case.root / "federal_register")
    result = case.run(FEDERAL_REGISTER)
    assert result.success
    after = table_checksums(case.warehouse)
    for table in SOURCES["federal_register"].tables:
        assert after[table] == before[table] and after[table][0] > 0, table
    assert after["marts.ledger_discrepancies"] == before["marts.ledger_discrepancies"]
    assert "missing_source" in _metadata(result, "staging/federal_register_documents")
    assert "skipped" not in _metadata(result, "marts/ledger_discrepancies")


@pytest.mark.parametrize("key", ["fx", "japan_customs"])
def test_without_a_source_of_japan_s_side_the_marts_say_what_they_lack(case, key):
    shutil.rmtree(case.root / SOURCES[key].layout.split("/")[0])
    result = case.run(JAPAN + JAPAN_MARTS)
    assert result.success
    warning = SOURCES[key].warning()
    assert warning in _logs(case, result)
    for table in SOURCES[key].tables:
        metadata = _metadata(result, table.replace(".", "/"))
        assert metadata["missing_source"] == warning and metadata["dagster/row_count"] == 0
    for mart in JAPAN_MARTS:
        if f"marts.{mart.split('/')[1]}" in SOURCES[key].marts:
            assert warning in _metadata(result, mart)["not_measured"], mart
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        japan_side = con.execute("SELECT count(*) FROM marts.commitment_progress "
                                 "WHERE source = 'japan_imports'").fetchall()[0][0]
        rows = con.execute("SELECT DISTINCT status, judged_on FROM marts.implementation_scorecard"
                           " WHERE indicator LIKE 'japan_imports:%'").fetchall()
    assert japan_side == 0  # never a zero purchase: no figure at all
    assert rows and all(status == "not_measurable" and SOURCES[key].absence() in judged_on
                        for status, judged_on in rows), rows


def test_without_census_exports_the_imports_load_and_the_exports_stay(case):
    shutil.rmtree(case.root / "census" / "exports_hs")
    before = table_checksums(case.warehouse)
    result = case.run_month("2025-11")
    assert result.success
    warning = SOURCES["census_exports"].warning()
    logs = _logs(case, result)
    assert logs.count(warning) == 1  # once for the source, not once per month
    assert _metadata(result, "staging/exports_monthly")["missing_source"] == warning
    assert "missing_source" not in _metadata(result, "staging/imports_monthly")
    after = table_checksums(case.warehouse)
    for table in SOURCES["census_exports"].tables:
        assert after[table] == before[table], table


def test_a_month_of_imports_without_exports_loads_into_a_new_warehouse(sample_snapshot,
                                                                       tmp_path):
    month = "2025-10"
    root = _link(sample_snapshot, tmp_path / "snapshot",
                 lambda p: not p.startswith(f"census/exports_hs/{month}/"))
    resources = {"source": SourceResource(source=str(root)),
                 "warehouse": WarehouseResource(database=str(tmp_path / "warehouse.duckdb"))}
    result = _materialize(dg.DagsterInstance.ephemeral(), resources, TRADE,
                          [f"{month}-01", f"{month}-01"])
    assert result.success
    assert _metadata(result, "staging/exports_monthly")["months_without_answers"] == month
    with duckdb.connect(str(tmp_path / "warehouse.duckdb"), read_only=True) as con:
        rows = dict(con.execute(
            "SELECT 'imports', count(*) FROM staging.imports_monthly UNION ALL "
            "SELECT 'exports', count(*) FROM staging.exports_monthly").fetchall())
    assert rows["imports"] > 0 and rows["exports"] == 0
