"""U.S. trade by HS10, country and month from the Census International Trade API."""


import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.marts.factory import builder
from pipelines.defs.metadata import missing_metadata, missing_source, table_result
from pipelines.defs.quality.checks import (
    Contracts,
    plausibility,
    quarantine_threshold,
    specs,
)
from pipelines.defs.resources import SourceResource
from pipelines.defs.trade.partitions import monthly_partitions, period
from pipelines.lib import incremental
from pipelines.lib.sources import snapshot
from pipelines.lib.sources.census import reader as census
from pipelines.lib.sources.snapshot import SnapshotError
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import transaction

GROUP = "trade"
# the source each endpoint is in the snapshot declaration (required or optional)
SOURCE_OF = {"imports_hs": "census_imports", "exports_hs": "census_exports"}
WHERE = "period BETWEEN $first::DATE AND $last::DATE"


def _window(context: dg.AssetExecutionContext) -> dict:
    keys = context.partition_keys
    return {"first": keys[0], "last": keys[-1]}


def _bounds(context: dg.AssetExecutionContext) -> dict:
    keys = context.partition_keys
    return {"first_period": dg.MetadataValue.text(keys[0]),
            "last_period": dg.MetadataValue.text(keys[-1]),
            "months": dg.MetadataValue.int(len(keys))}


def _load(context, source: SourceResource, warehouse: DuckDBResource, endpoint: str,
          raw_table: str, staging_table: str):
    """Add each month's answers to the raw table as a vintage and rebuild the month's staging
    rows from the latest vintage, one transaction per month: both tables change together, and
    a month commits only when every blocking contract of both passes on it. A failing month
    rolls back alone (the months before it stay loaded and checked) and stops the step; the
    memory a run needs is that of one month, whatever the number of months."""
    keys = context.partition_keys
    root = source.root()
    threshold = quarantine_threshold(staging_table)
    limits = plausibility(staging_table)
    quarantined = 0
    contracts = {table: Contracts(table) for table in (raw_table, staging_table)}
    absent: list[str] = []
    optional = not snapshot.SOURCES[SOURCE_OF[endpoint]].required
    missing = None if source.mode().is_live else missing_source(context, root,
                                                                 SOURCE_OF[endpoint])
    with warehouse.get_connection() as con:
        source.claim(con)  # one source per warehouse
        for i, key in enumerate(keys, start=1):
            try:
                files = source.census_files(endpoint, period(key))
            except SnapshotError:
                if not optional:
                    raise
                # Months are partitions because imports exist; exports may lag or be absent.
                absent.append(period(key))
                # one warning for a source missing whole (above), one per month otherwise
                (context.log.info if missing else context.log.warning)(
                    f"[{i}/{len(keys)}] {endpoint} {period(key)}: the snapshot has no exports "
                    "answers for this month; its imports are loaded, its exports stay as they "
                    "were")
                with transaction(con):  # the tables as they stay, created the first time
                    for name in census.TABLES[endpoint]:
                        ensure_table(con, name)
                    for table in (raw_table, staging_table):  # the month's rows as they stay
                        yield from contracts[table].check(con, [key])
                continue
            # the digest of the files as they are before reading them: a file changed meanwhile
            # differs from it, and the next run loads the month again
            digest = incremental.month_digest(root, endpoint, period(key))
            with transaction(con):
                raw_rows = census.load_raw_month(con, endpoint, period(key), files, root)
                incremental.record_load(con, incremental.CENSUS[endpoint], period(key), digest)
                rows, flagged = census.build_staging_month(con, endpoint, period(key),
                                                           threshold, limits)
                for table in (raw_table, staging_table):
                    yield from contracts[table].check(con, [key])
            quarantined += flagged
            context.log.info(f"[{i}/{len(keys)}] {endpoint} {period(key)}: {len(files)} "
                             f"answers, {raw_rows} raw rows, {rows} staged")
            if flagged:
                context.log.warning(
                    f"{period(key)}: {flagged} rows quarantined; see "
                    f"quarantine.{staging_table.split('.')[1]}")
        months = {"months_without_answers": dg.MetadataValue.text(", ".join(absent)),
                  **missing_metadata(missing)}
        extra = {raw_table: months, staging_table: {
            "quarantined_rows": dg.MetadataValue.int(quarantined), **months}}
        for table in (raw_table, staging_table):
            result = table_result(con, table, WHERE, _window(context), "ORDER BY ALL",
                                  {**_bounds(context), **extra[table]},
                                  contracts[table].results())
            yield dg.MaterializeResult(asset_key=table.split("."), metadata=result.metadata,
                                       check_results=result.check_results)


def _census_tables(endpoint: str, raw_key: str, staging_key: str, raw_doc: str,
                   staging_doc: str):
    raw_table, staging_table = f"raw.{raw_key}", f"staging.{staging_key}"

    @dg.multi_asset(
        name=f"{raw_key}_tables",
        specs=[
            dg.AssetSpec(["raw", raw_key], description=raw_doc, kinds={"duckdb", "json"},
                         group_name=GROUP),
            dg.AssetSpec(["staging", staging_key], deps=[dg.AssetKey(["raw", raw_key])],
                         description=staging_doc, kinds={"duckdb"}, group_name=GROUP),
        ],
        check_specs=specs(raw_table) + specs(staging_table),
        partitions_def=monthly_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        pool="duckdb",
    )
    def tables(context: dg.AssetExecutionContext, source: SourceResource,
               warehouse: DuckDBResource):
        yield from _load(context, source, warehouse, endpoint, raw_table, staging_table)

    return tables


census_import_tables = _census_tables(
    "imports_hs", "census_imports", "imports_monthly",
    "Census imports/hs answers (HS10 x country x month x rate provision), strings as served; "
    "every fetch kept as a vintage.",
    "U.S. imports by HS10, country, month and rate provision: values, duties, quantities "
    "(latest vintage; bad rows quarantined).")
census_export_tables = _census_tables(
    "exports_hs", "census_exports", "exports_monthly",
    "Census exports/hs answers (Schedule B 10-digit x country x month), strings as served; "
    "every fetch kept as a vintage.",
    "U.S. exports by Schedule B 10-digit code, country and month: value and quantity "
    "(latest vintage; bad rows quarantined).")


@builder("data_revisions")
def data_revisions(context, con, step):
    """What each new Census vintage of a month changed: the months whose vintages changed are
    compared again."""
    context.log.info(f"months compared again: {len(step.refresh_months(con))}")
