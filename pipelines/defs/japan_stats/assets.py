"""Japan's own trade statistics (MOF / Japan Customs), exchange rates (FRED), and the builder of
the mirror mart comparing the two countries' books (its asset, and its distribution's, are made
from their SQL files by ``pipelines.defs.marts.factory``)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.marts.factory import builder
from pipelines.defs.metadata import missing_metadata, missing_source, table_result
from pipelines.defs.quality.checks import guard, specs
from pipelines.defs.resources import SourceResource
from pipelines.lib.rules.mirror import mirror
from pipelines.lib.sources import snapshot
from pipelines.lib.sources.fred import reader as fred
from pipelines.lib.sources.japan_customs import reader as japan
from pipelines.lib.warehouse.partitions import rebuild_table
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import transaction

GROUP = "japan_stats"


def _load_pair(con, context, tables: tuple[str, str], load, extra: dict,
               absent: snapshot.Source | None = None):
    """Load both tables in one transaction and check them; an ``absent`` optional source
    loads nothing and leaves them as they were (created empty the first time)."""
    with transaction(con):
        counts = load() if absent is None else "nothing loaded: the source is not in the snapshot"
        checks = {}
        for table in tables:
            ensure_table(con, table.replace(".", "/"))
            checks[table] = yield from guard(con, table)
    context.log.info(f"{tables[0]}: {counts}")
    for table in tables:
        result = table_result(con, table, order_by="ORDER BY ALL",
                              extra={**(extra.get(table) or {}), **missing_metadata(absent)},
                              check_results=checks[table])
        yield dg.MaterializeResult(asset_key=table.split("."), metadata=result.metadata,
                                   check_results=result.check_results)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", "japan_trade"], group_name=GROUP, kinds={"duckdb", "csv"},
                     description="Japan's trade statistics (MOF/Customs CSV by HS9 x country, "
                                 "thousand yen, or e-Stat getStatsData answers) as served; "
                                 "every file kept as a vintage."),
        dg.AssetSpec(["staging", "japan_trade_monthly"], group_name=GROUP, kinds={"duckdb"},
                     deps=[dg.AssetKey(["raw", "japan_trade"]),
                           dg.AssetKey(["staging", "ledger_japan_countries"])],
                     description="Japan's trade by month, direction, HS9 and country (the wide "
                                 "files unpivoted), provisional or confirmed."),
    ],
    check_specs=specs("raw.japan_trade") + specs("staging.japan_trade_monthly"),
    pool="duckdb",
)
def japan_trade_tables(context: dg.AssetExecutionContext, source: SourceResource,
                       warehouse: DuckDBResource):
    """Every MOF/Customs CSV and e-Stat answer of the snapshot into raw (as a vintage) and the
    best release of each month into staging, in one transaction: a bad file stops the step,
    naming the file, the line (or e-Stat key) and the field, and changes nothing."""
    files = source.japan_customs_files()
    root = source.root()
    absent = missing_source(context, root, "japan_customs")
    countries = {c.code for c in mirror().japan_customs.countries}
    with warehouse.get_connection() as con:
        source.claim(con)  # one source per warehouse
        yield from _load_pair(
            con, context, ("raw.japan_trade", "staging.japan_trade_monthly"),
            lambda: japan.load_files(con, files, countries, root),
            {"raw.japan_trade": {"files": dg.MetadataValue.int(len(files))}}, absent)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["raw", "fx_daily"], group_name=GROUP, kinds={"duckdb", "csv"},
                     description="Daily yen per dollar (FRED DEXJPUS, Federal Reserve H.10) as "
                                 "served; every fetch kept as a vintage."),
        dg.AssetSpec(["staging", "fx_monthly"], group_name=GROUP, kinds={"duckdb"},
                     deps=[dg.AssetKey(["raw", "fx_daily"])],
                     description="Monthly mean yen per dollar; a month with too few quotes "
                                 "stops the load."),
    ],
    check_specs=specs("raw.fx_daily") + specs("staging.fx_monthly"),
    pool="duckdb",
)
def fx_tables(context: dg.AssetExecutionContext, source: SourceResource,
              warehouse: DuckDBResource):
    """Each exchange-rate series of the ledger (mirror.yaml fx) into raw and its monthly means
    into staging, in one transaction."""
    from datetime import date

    root = source.root()
    series = mirror().fx
    # live mode downloads each series into the snapshot first; a snapshot may lack them all
    live = source.mode().is_live
    paths = {s.series: source.fx_file(s.series) for s in series} if live else {}
    absent = missing_source(context, root, "fx")
    if absent is None and not live:
        paths = {s.series: source.fx_file(s.series) for s in series}

    def load():
        return {s.series: fred.load_series(con, paths[s.series], s.series, s.currency,
                                           s.min_quotes,
                                           date.fromisoformat(f"{s.first_month}-01"), root)
                for s in series}

    with warehouse.get_connection() as con:
        source.claim(con)  # one source per warehouse
        yield from _load_pair(con, context, ("raw.fx_daily", "staging.fx_monthly"), load, {},
                              absent)


# Inputs of the mirror and minerals marts: created empty when a source was never loaded, so
# the marts build (empty on that side) from whatever is there.
MART_INPUTS = ("staging/imports_monthly", "staging/exports_monthly",
               "staging/japan_trade_monthly", "staging/fx_monthly",
               "staging/ledger_mineral_groups", "staging/ledger_japan_countries")


def rebuild(context, con, step, params: dict | None = None) -> None:
    """Rebuild a mirror or minerals mart from whatever its inputs hold (caller's transaction)."""
    for source in MART_INPUTS:
        ensure_table(con, source)
    rows = rebuild_table(con, f"marts/{step.name}", params=params)
    context.log.info(f"{step.table}: {rows} rows")


@builder("mirror_trade", ledger=("mirror.yaml",))
def mirror_trade(context, con, step):
    book = mirror()
    rebuild(context, con, step, {"census_japan": book.census.japan,
                                 "japan_us": book.japan_customs.united_states})
