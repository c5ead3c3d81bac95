"""The USITC Harmonized Tariff Schedule: releases, raw records, lines and Chapter 99 headings."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import table_result
from pipelines.defs.resources import SourceResource
from pipelines.defs.tariff_schedule.partitions import hts_release_partitions
from pipelines.lib import hts
from pipelines.lib.warehouse import run, transaction

GROUP = "tariff_schedule"
PARTITIONED = dict(
    partitions_def=hts_release_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name=GROUP,
    pool="duckdb",
)


def _bounds(context: dg.AssetExecutionContext) -> dict:
    keys = context.partition_keys
    return {"releases": dg.MetadataValue.text(", ".join(keys)),
            "partition_count": dg.MetadataValue.int(len(keys))}


@dg.asset(key=["raw", "hts_releases"], group_name=GROUP, kinds={"duckdb", "json"}, pool="duckdb")
def hts_releases(
    context: dg.AssetExecutionContext, source: SourceResource, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """USITC HTS releases (releaseList), one row per release; registers each release on or after
    TARIFF_AUDIT_HTS_SINCE whose export is available as a partition of the schedule assets."""
    path = source.release_list_file()
    root = source.root()
    with warehouse.get_connection() as con:
        with transaction(con):
            hts.load_release_list(con, path, str(path.relative_to(root)))
        listed = [r for (r,) in run(
            con, "SELECT release FROM raw.hts_releases WHERE release_start_date >= $since "
                 "ORDER BY release_start_date, release", {"since": source.since()})]
        available = listed if source.mode().is_live else [
            r for r in listed if _has_export(source, r)]
        missing = sorted(set(listed) - set(available))
        if missing:
            context.log.warning(f"{len(missing)} listed releases have no export in the snapshot "
                                f"and are not partitions: {', '.join(missing)}")
        known = set(context.instance.get_dynamic_partitions(hts_release_partitions.name))
        new = [r for r in available if r not in known]
        if new:
            context.instance.add_dynamic_partitions(hts_release_partitions.name, new)
        context.log.info(f"{len(available)} releases available, {len(new)} new partitions")
        return table_result(con, "raw.hts_releases", order_by="ORDER BY release_start_date",
                            extra={"new_partitions": dg.MetadataValue.text(", ".join(new))})


def _has_export(source: SourceResource, release: str) -> bool:
    try:
        source.release_file(release)
    except Exception:  # noqa: BLE001 - absence is reported as a warning above
        return False
    return True


@dg.asset(key=["raw", "hts_records"], deps=[hts_releases], kinds={"duckdb", "json"},
          **PARTITIONED)
def hts_records(
    context: dg.AssetExecutionContext, source: SourceResource, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """Every record of each HTS release export, every field as served (one partition a release)."""
    releases = context.partition_keys
    root = source.root()
    with warehouse.get_connection() as con:
        with transaction(con):
            for i, release in enumerate(releases, start=1):
                path = source.release_file(release)
                rows = hts.load_release_records(con, path, release, str(path.relative_to(root)))
                context.log.info(f"[{i}/{len(releases)}] {release}: {rows} records")
        return table_result(con, "raw.hts_records", "release IN (SELECT unnest($r))",
                            {"r": releases}, "ORDER BY release, ordinal", _bounds(context))


@dg.asset(key=["staging", "hts_lines"], deps=[hts_records], kinds={"duckdb", "polars"},
          **PARTITIONED)
def hts_lines(context: dg.AssetExecutionContext, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """One row per 10-digit line of chapters 01-98 per release, with its column-1 rate parsed."""
    releases = context.partition_keys
    with warehouse.get_connection() as con:
        with transaction(con):
            rows = hts.build_lines(con, releases)
        coverage = run(
            con,
            "SELECT release, count(*), count(*) FILTER (WHERE rate_kind <> 'other'), "
            "count(*) FILTER (WHERE general_text IS NULL) FROM staging.hts_lines "
            "WHERE release IN (SELECT unnest($r)) AND chapter <= '97' GROUP BY 1 ORDER BY 1",
            {"r": releases})
        worst = min((parsed / total, release) for release, total, parsed, _ in coverage)
        context.log.info(f"{rows} lines; lowest numeric parse share of chapters 01-97 "
                         f"{worst[0]:.3%} ({worst[1]})")
        return table_result(
            con, "staging.hts_lines", "release IN (SELECT unnest($r))", {"r": releases},
            "ORDER BY release, hs10",
            {**_bounds(context),
             "min_numeric_share": dg.MetadataValue.float(round(worst[0], 5)),
             "lines_without_rate_text": dg.MetadataValue.int(sum(c[3] for c in coverage))})


@dg.asset(key=["staging", "hts_chapter99"], deps=[hts_records], kinds={"duckdb", "polars"},
          **PARTITIONED)
def hts_chapter99(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """Each Chapter 99 (9903) heading per release and what it does to the subheading's duty."""
    releases = context.partition_keys
    with warehouse.get_connection() as con:
        with transaction(con):
            hts.build_chapter99(con, releases)
        return table_result(con, "staging.hts_chapter99", "release IN (SELECT unnest($r))",
                            {"r": releases}, "ORDER BY release, heading", _bounds(context))
