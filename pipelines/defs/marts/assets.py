"""Indicators computed from the staging tables: the builders of the monthly marts (their
assets are made from their SQL files by ``pipelines.defs.marts.factory``)."""

from pipelines.defs.marts.factory import builder
from pipelines.lib import incremental
from pipelines.lib.rules.ledger import frames as ledger_frames
from pipelines.lib.rules.ledger.frames import sector_prefixes
from pipelines.lib.sources.hts import reader as hts_reader
from pipelines.lib.sources.hts.reader import install_release_starts


def _months(context, table: str, months: list) -> None:
    context.log.info(f"{table}: months recomputed: {len(months)}"
                     + (f" ({months[0]:%Y-%m} .. {months[-1]:%Y-%m})" if months else ""))


@builder("unrated_value_monthly", code=(ledger_frames, hts_reader), ledger=("sectors.yaml",))
def unrated_value_monthly(context, con, step):
    """Recompute only the months whose imports, release in force, its lines or the ledger's
    unit conversions changed since the last run."""
    sectors = sector_prefixes()
    con.register("_sector_prefixes", sectors)
    install_release_starts(con)
    _months(context, step.table, step.refresh_months(con, incremental.frame_hash(sectors)))
    con.unregister("_sector_prefixes")


@builder("effective_rates_monthly", code=(ledger_frames,), ledger=("sectors.yaml",))
def effective_rates_monthly(context, con, step):
    """Recompute only the months whose imports, unrated value (HTS lines, releases, ledger
    units) or sectors changed since the last run."""
    sectors = sector_prefixes()
    con.register("_sector_prefixes", sectors)
    _months(context, step.table, step.refresh_months(con, incremental.frame_hash(sectors)))
    con.unregister("_sector_prefixes")
