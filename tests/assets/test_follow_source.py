"""Partitions and runs follow the configured source: release partitions are the source's
releases, a month without exports still loads its imports, and the CLI's runs carry named jobs
and tags."""

import json
import shutil

import dagster as dg
import duckdb

from pipelines.definitions import defs
from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.stages import LEDGER, SCHEDULE, run_assets
from tests.helpers import table_checksums


def _metadata(result, key: str) -> dict:
    event = next(e for e in result.get_asset_materialization_events()
                 if e.asset_key == dg.AssetKey.from_user_string(key))
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_a_month_with_imports_and_no_exports_loads_the_imports(case):
    shutil.rmtree(case.root / "census" / "exports_hs" / "2025-10")
    exports_before = table_checksums(case.warehouse)["staging.exports_monthly"]
    result = case.run_month("2025-10")
    assert result.success
    assert _metadata(result, "staging/exports_monthly")["months_without_answers"] == "2025-10"
    assert _metadata(result, "staging/imports_monthly")["months_without_answers"] == ""
    assert _metadata(result, "staging/imports_monthly")["dagster/row_count"] > 0
    assert table_checksums(case.warehouse)["staging.exports_monthly"] == exports_before
    logs = case.instance.all_logs(result.run_id)
    assert any("no exports answers" in entry.user_message for entry in logs), \
        "the run does not say that the month's exports are missing"


def test_a_month_without_exports_on_a_warehouse_that_never_loaded_any(case):
    """The issue's run: a snapshot whose months have imports and no exports failed on
    raw.census_exports's blocking contracts with four lines reading "0 unexpected" (the
    exports tables did not exist). The month's exports are an empty batch: its contracts pass,
    and the tables exist, empty, as their DDL says."""
    shutil.rmtree(case.root / "census" / "exports_hs" / "2025-10")
    with duckdb.connect(str(case.warehouse)) as con:
        for table in ("raw.census_exports", "staging.exports_monthly"):
            con.execute(f"DROP TABLE {table}")
    result = case.run_month("2025-10")
    messages = [e.step_failure_data.error.to_string() for e in result.all_events
                if e.is_step_failure]
    assert result.success, messages
    evaluations = {(c.asset_key.to_user_string(), c.check_name): c
                   for c in result.get_asset_check_evaluations()}
    exports = {k: c for k, c in evaluations.items()
               if k[0] in ("raw/census_exports", "staging/exports_monthly")}
    assert exports and all(c.passed for c in exports.values()), \
        [k for k, c in exports.items() if not c.passed]
    assert _metadata(result, "raw/census_exports")["months_without_answers"] == "2025-10"
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        assert con.execute("SELECT (SELECT count(*) FROM raw.census_exports), "
                           "(SELECT count(*) FROM staging.exports_monthly)").fetchone() == (0, 0)
        assert con.execute("SELECT count(*) FROM staging.imports_monthly "
                           "WHERE period = '2025-10-01'").fetchone()[0] > 0


def test_a_month_missing_from_the_snapshot_fails_cleanly(case):
    # Partitions end at the snapshot's last month; a hole inside the range is still refused.
    shutil.rmtree(case.root / "census" / "imports_hs" / "2025-10")
    case.expect_refusal(case.run_month("2025-10"), "2025-10", "imports_hs",
                        "not in this snapshot")


def _snapshot_with(sample, root, releases):
    """Another source: the sample's Census answers, and a release list serving only
    ``releases`` (with their exports)."""
    for path in sample.rglob("*"):
        target = root / path.relative_to(sample)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.parent.name != "hts" or any(path.name.startswith(r + ".") for r in releases):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    listed = json.loads((sample / "hts" / "releaseList.json").read_text())
    (root / "hts" / "releaseList.json").write_text(
        json.dumps([r for r in listed if r["name"] in releases]))
    return root


def test_release_partitions_follow_the_source(sample_snapshot, tmp_path):
    """One Dagster instance, two sources (each with its own warehouse: one warehouse holds one
    source): the release partitions are always the current source's."""
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions("hts_release", ["2024HTSRev9"])  # a previous source's
    names = [r["name"] for r in json.loads(
        (sample_snapshot / "hts" / "releaseList.json").read_text())]

    def load(root, warehouse):
        resources = {"source": SourceResource(source=str(root)),
                     "warehouse": WarehouseResource(database=str(warehouse))}
        result = run_assets(instance, ["raw/hts_releases"], None, resources)
        assert result.success
        return result, resources

    result, _ = load(sample_snapshot, tmp_path / "sample.duckdb")
    assert sorted(instance.get_dynamic_partitions("hts_release")) == sorted(names)
    assert _metadata(result, "raw/hts_releases")["dropped_partitions"] == "2024HTSRev9"

    other = _snapshot_with(sample_snapshot, tmp_path / "other", ["2025HTSBasic", "2025HTSRev23"])
    result, resources = load(other, tmp_path / "other.duckdb")
    assert instance.get_dynamic_partitions("hts_release") == ["2025HTSBasic", "2025HTSRev23"]
    assert _metadata(result, "raw/hts_releases")["release_partitions"] == \
        "2025HTSBasic, 2025HTSRev23"
    # what `make run` does next: load every release partition, all of them servable
    releases = instance.get_dynamic_partitions("hts_release")
    assert run_assets(instance, LEDGER, None, resources).success
    assert run_assets(instance, SCHEDULE, releases, resources).success
    with duckdb.connect(str(tmp_path / "other.duckdb"), read_only=True) as con:
        loaded = {r for (r,) in con.execute(
            "SELECT DISTINCT release FROM staging.hts_lines").fetchall()}
    assert loaded == {"2025HTSBasic", "2025HTSRev23"}


def test_cli_runs_carry_named_jobs_and_tags(built, sample_snapshot):
    instance = built[0]
    runs = instance.get_runs()
    jobs = {j.name for j in defs.jobs}
    assert runs and all(run.job_name in jobs for run in runs), {r.job_name for r in runs}
    census = [r for r in runs if r.job_name == "census_refresh"]
    assert census[-1].tags["tariff_audit/partitions"] == "2024-01-01..2026-09-01"
    assert all(r.tags["tariff_audit/launched_by"] == "cli" for r in runs)
    source = census[-1].tags["tariff_audit/source"]
    assert source == f"snapshot {sample_snapshot} (synthetic)"


def test_a_release_edited_under_its_name_is_loaded_again(case, monkeypatch):
    """Issue 20: an HTS export edited under the same release name was "nothing new or
    revised" (releases were compared by name); the digest of its content decides."""
    from pipelines.runner import partitions_to_load

    release = case.releases[-1]
    records = json.loads(case.read(f"hts/{release}.json.gz"))
    line = next(r for r in records if r["htsno"] == "8703.23.01")
    line["general"] = "3.5%"
    monkeypatch.setenv("TARIFF_AUDIT_WAREHOUSE", str(case.warehouse))
    assert partitions_to_load([release], [], case.root, live=False)[0] == []
    case.write(f"hts/{release}.json.gz", json.dumps(records).encode())
    assert partitions_to_load([release], [], case.root, live=False)[0] == [release]
    assert case.run_release(release).success
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        rates = con.execute("SELECT DISTINCT general_text FROM staging.hts_lines WHERE "
                            "release = ? AND hs8 = '87032301'", [release]).fetchall()
    assert rates == [("3.5%",)]
    assert partitions_to_load([release], [], case.root, live=False)[0] == []


def test_a_month_gone_from_the_snapshot_is_refused_not_kept_unseen(case):
    """Issue 20: a month removed from the source stayed in the warehouse, the copy and the
    report, even after make run-full. Every load from the source now refuses, naming it."""
    shutil.rmtree(case.root / "census" / "imports_hs" / "2025-11")
    case.expect_refusal(case.run_month("2025-08"), "2025-11", "imports_hs",
                        "not in this snapshot", "TARIFF_AUDIT_DATA=<new directory>")
