"""The USITC Harmonized Tariff Schedule: releases, raw records, lines and Chapter 99 headings."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import table_result
from pipelines.defs.quality.checks import guard, specs
from pipelines.defs.resources import SourceResource
from pipelines.defs.tariff_schedule.partitions import hts_release_partitions
from pipelines.lib import incremental
from pipelines.lib.errors import SourceError
from pipelines.lib.sources.hts import reader as hts
from pipelines.lib.sources.snapshot import SnapshotError
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.transactions import transaction

GROUP = "tariff_schedule"


def _bounds(context: dg.AssetExecutionContext) -> dict:
    keys = context.partition_keys
    return {"releases": dg.MetadataValue.text(", ".join(keys)),
            "partition_count": dg.MetadataValue.int(len(keys))}


@dg.asset(key=["raw", "hts_releases"], group_name=GROUP, kinds={"duckdb", "json"}, pool="duckdb",
          check_specs=specs("raw.hts_releases"))
def hts_releases(
    context: dg.AssetExecutionContext, source: SourceResource, warehouse: DuckDBResource
):
    """USITC HTS releases (releaseList), one row per release; makes the releases on or after
    TARIFF_AUDIT_HTS_SINCE that the current source can serve the partitions of the schedule
    assets (new ones added, ones the source lacks dropped; see the metadata)."""
    path = source.release_list_file()
    root = source.root()
    with warehouse.get_connection() as con:
        source.claim(con)  # one source per warehouse
        with transaction(con):
            hts.load_release_list(con, path, str(path.relative_to(root)))
            checks = yield from guard(con, "raw.hts_releases")
            listed = [r for (r,) in run(
                con, "SELECT release FROM raw.hts_releases WHERE release_start_date >= $since "
                     "ORDER BY release_start_date, release", {"since": source.since()})]
            available = listed if source.mode().is_live else [
                r for r in listed if _has_export(source, r)]
            missing = [r for r in listed if r not in set(available)]
            if missing:
                # Auditing its months with the previous release would be a silent guess.
                raise SourceError(
                    hts.SOURCE, str(path),
                    f"{len(missing)} listed release(s) have no export in the snapshot: "
                    f"{', '.join(missing)} (expected hts/<release>.json.gz or .json); add the "
                    "export, or set TARIFF_AUDIT_HTS_SINCE after the release", field="name")
        new, dropped = _follow_source(context.instance, available)
        context.log.info(f"{len(available)} releases available, {len(new)} new partitions"
                         + (f"; dropped {len(dropped)} the source does not have: "
                            f"{', '.join(dropped)}" if dropped else ""))
        yield table_result(con, "raw.hts_releases", order_by="ORDER BY release_start_date",
                           extra={"new_partitions": dg.MetadataValue.text(", ".join(new)),
                                  "release_partitions": dg.MetadataValue.text(
                                      ", ".join(available)),
                                  "dropped_partitions": dg.MetadataValue.text(
                                      ", ".join(dropped))},
                           check_results=checks)


def _follow_source(instance: dg.DagsterInstance, available: list[str]):
    """Make the release partitions exactly the releases of the current source: switching
    TARIFF_AUDIT_SOURCE must not leave partitions (and runs) for releases it cannot serve."""
    name = hts_release_partitions.name
    known = instance.get_dynamic_partitions(name)
    new = [r for r in available if r not in set(known)]
    dropped = [r for r in known if r not in set(available)]
    if new:
        instance.add_dynamic_partitions(name, new)
    for release in dropped:
        instance.delete_dynamic_partition(name, release)
    return new, dropped


def _has_export(source: SourceResource, release: str) -> bool:
    try:
        source.release_file(release)
    except SnapshotError:  # absence is refused above, naming the release
        return False
    return True


SCHEDULE_TABLES = {
    "raw.hts_records": "Every record of each HTS release export, every field as served.",
    "staging.hts_lines": "One row per 10-digit line of chapters 01-98 per release, with its "
                         "column-1 rate parsed.",
    "staging.hts_chapter99": "Each Chapter 99 (9903) heading per release and what it does to "
                             "the subheading's duty.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", "hts_records"], deps=[hts_releases], description=
                     SCHEDULE_TABLES["raw.hts_records"], kinds={"duckdb", "json"},
                     group_name=GROUP),
        dg.AssetSpec(["staging", "hts_lines"], deps=[dg.AssetKey(["raw", "hts_records"])],
                     description=SCHEDULE_TABLES["staging.hts_lines"],
                     kinds={"duckdb", "polars"}, group_name=GROUP),
        # The ledger's provisions name the deal headings whose presence a contract checks.
        dg.AssetSpec(["staging", "hts_chapter99"],
                     deps=[dg.AssetKey(["raw", "hts_records"]),
                           dg.AssetKey(["staging", "ledger_provisions"])],
                     description=SCHEDULE_TABLES["staging.hts_chapter99"],
                     kinds={"duckdb", "polars"}, group_name=GROUP),
    ],
    check_specs=[spec for table in SCHEDULE_TABLES for spec in specs(table)],
    partitions_def=hts_release_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="duckdb",
)
def hts_release_tables(
    context: dg.AssetExecutionContext, source: SourceResource, warehouse: DuckDBResource
):
    """Load each release's export and derive its lines and Chapter 99 headings in one
    transaction: the three tables change together, and only when every blocking contract of
    all three passes."""
    releases = context.partition_keys
    root = source.root()
    where = "release IN (SELECT unnest($r))"
    with warehouse.get_connection() as con:
        source.claim(con)  # one source per warehouse
        with transaction(con):
            for i, release in enumerate(releases, start=1):
                path = source.release_file(release)
                digest = incremental.files_digest([path], path.parent)
                rows, collapsed = hts.load_release_records(con, path, release,
                                                           str(path.relative_to(root)))
                incremental.record_load(con, incremental.HTS, release, digest)
                context.log.info(f"[{i}/{len(releases)}] {release}: {rows} records")
                if collapsed:
                    context.log.warning(
                        f"{release}: {len(collapsed)} records repeated identically in "
                        f"{path.name} were kept once: {', '.join(sorted(set(collapsed))[:10])}")
            lines = hts.build_lines(con, releases)
            hts.build_chapter99(con, releases)
            checks = {}
            for table in SCHEDULE_TABLES:
                checks[table] = yield from guard(con, table, releases)
        coverage = run(
            con,
            "SELECT release, count(*), count(*) FILTER (WHERE rate_kind <> 'other'), "
            "count(*) FILTER (WHERE general_text IS NULL) FROM staging.hts_lines "
            f"WHERE {where} AND chapter <= '97' GROUP BY 1 ORDER BY 1", {"r": releases})
        worst = min((parsed / total, release) for release, total, parsed, _ in coverage)
        context.log.info(f"{lines} lines; lowest numeric parse share of chapters 01-97 "
                         f"{worst[0]:.3%} ({worst[1]})")
        extra = {
            "raw.hts_records": {},
            "staging.hts_lines": {
                "min_numeric_share": dg.MetadataValue.float(round(worst[0], 5)),
                "lines_without_rate_text": dg.MetadataValue.int(sum(c[3] for c in coverage))},
            "staging.hts_chapter99": {},
        }
        order = {"raw.hts_records": "ORDER BY release, ordinal",
                 "staging.hts_lines": "ORDER BY release, hs10",
                 "staging.hts_chapter99": "ORDER BY release, heading"}
        for table in SCHEDULE_TABLES:
            result = table_result(con, table, where, {"r": releases}, order[table],
                                  {**_bounds(context), **extra[table]}, checks[table])
            yield dg.MaterializeResult(asset_key=table.split("."), metadata=result.metadata,
                                       check_results=result.check_results)
