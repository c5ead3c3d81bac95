"""What the report reads from the warehouse: ``sql/report/audit_report.sql`` behind a reader that
knows which tables exist, so a section whose mart is absent says so instead of failing."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from pipelines.lib.sources import snapshot
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.sql_files import statement

SQL = "report/audit_report"

# Which asset builds each table the report reads, and what the reader would see with it.
PROVIDERS: dict[str, tuple[str, str]] = {
    "marts.implementation_scorecard": (
        "marts/implementation_scorecard",
        "the verdict of every commitment of both sides for the latest quarter"),
    "marts.commitment_progress": (
        "marts/commitment_progress",
        "Japan's purchases against the target path of each commitment"),
    "marts.investment_progress": (
        "marts/investment_progress", "the $550 bn investment vehicle against its path, by stage"),
    "marts.investment_tranches": (
        "marts/investment_tranches", "each investment tranche with its stage and sources"),
    "marts.mirror_trade": (
        "marts/mirror_trade", "U.S. and Japanese statistics of the same trade side by side"),
    "marts.mirror_trade_distribution": (
        "marts/mirror_trade_distribution",
        "how far the two countries' statistics agree line by line"),
    "marts.critical_minerals_dependence": (
        "marts/critical_minerals_dependence",
        "each importer's dependence on China for critical minerals"),
    "staging.ledger_commitments": (
        "staging/ledger_commitments", "the commitments of both sides with their targets"),
    "marts.effective_rates_monthly": (
        "marts/effective_rates_monthly", "collected duty / customs value by partner and sector"),
    "marts.deal_conformance_monthly": (
        "marts/deal_conformance_monthly", "observed, promised and statutory rates by month"),
    "marts.japan_line_audit": (
        "marts/japan_line_audit", "the audit of every HS10 line and month"),
    "marts.provision_timeline": (
        "marts/provision_timeline", "each provision's path from announcement to the schedule"),
    "marts.hts_revision_changes": (
        "marts/hts_revision_changes", "what each HTS release changed"),
    "marts.data_revisions": (
        "marts/data_revisions", "values changed by newer Census vintages"),
    "marts.statutory_rate_daily": (
        "marts/statutory_rate_daily", "the statutory rate of every day at fixed weights"),
    "marts.unmodelled_provisions": (
        "marts/unmodelled_provisions", "the Chapter 99 headings the ledger does not model"),
    "marts.unrated_value_monthly": (
        "marts/unrated_value_monthly", "the value without a statutory rate, by reason"),
    "staging.ledger_category_sectors": (
        "staging/ledger_category_sectors", "the mapping of audit categories to sectors"),
    "staging.ledger_rules": ("staging/ledger_rules", "the ledger's regimes"),
    "staging.ledger_provisions": ("staging/ledger_provisions", "the ledger's provisions"),
    "staging.ledger_about": ("staging/ledger_about", "when the ledger's facts were checked"),
    "raw.census_imports": ("raw/census_imports", "the Census import answers loaded"),
    "raw.census_exports": ("raw/census_exports", "the Census export answers loaded"),
    "raw.hts_releases": ("raw/hts_releases", "the HTS releases listed"),
    "staging.hts_lines": ("staging/hts_lines", "the HTS releases loaded"),
}


@dataclass(frozen=True)
class Missing:
    """A table a section needs that this warehouse does not have, or (``source``) an optional
    source the warehouse holds no row of, which the section's marts were built without."""

    table: str
    built_by: str
    shows: str
    source: str = ""  # the source's warning: what is not measured without it


class Warehouse:
    """Read-only access to the tables the report uses."""

    def __init__(self, con: duckdb.DuckDBPyConnection, country: str):
        self.con = con
        self.country = country
        self.tables = {f"{s}.{t}" for s, t in run(
            con, "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT temporary")}
        self.unloaded = snapshot.not_loaded(con)

    def has(self, *tables: str) -> bool:
        return all(t in self.tables for t in tables)

    def missing(self, *tables: str) -> list[Missing]:
        """The tables among ``tables`` that are absent, with the asset that builds each, then
        the optional sources the present ones were built without (each once)."""
        out = []
        for table in tables:
            if table not in self.tables:
                built_by, shows = PROVIDERS.get(table, (table.replace(".", "/"), ""))
                out.append(Missing(table, built_by, shows))
        for source in self.unloaded:
            if any(t in source.marts and t in self.tables for t in tables):
                out.append(Missing(source.table, source.table.replace(".", "/"), "",
                                   source.warning()))
        return out

    def frame(self, which: str, **params) -> pl.DataFrame:
        """The result of statement ``which`` of the report's SQL file as a polars frame."""
        sql = statement(SQL, which)
        if "$country" in sql:
            params["country"] = self.country
        return self.con.sql(sql, params=params or None).pl()

    def query(self, sql: str, params: dict | None = None) -> pl.DataFrame:
        return self.con.sql(sql, params=params).pl()

    def count(self, table: str) -> int:
        """Rows of ``table`` (a name from the catalog, never from input)."""
        schema, name = table.split(".")
        return run(self.con, f'SELECT count(*) FROM "{schema}"."{name}"')[0][0]
