"""The line-level audit of U.S. implementation and the indicators built on it.

All set-wise work is SQL (``sql/marts/*.sql``); Python parses the few distinct special-rate texts
and hands the ledger to DuckDB as tables.
"""

from __future__ import annotations

import re

import duckdb
import polars as pl

from pipelines.lib.rules.ledger.frames import (
    about_frame,
    category_prefixes,
    category_sectors,
    chapter99_frame,
    instruments_frame,
    provisions_frame,
    rules_frame,
    units_frame,
)
from pipelines.lib.rules.ledger.rule_language import install_rule_macro
from pipelines.lib.rules.ledger.schema import Ledger
from pipelines.lib.rules.rate_text import clean, parse_rate
from pipelines.lib.sources.hts.reader import install_release_starts
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.partitions import rebuild_table
from pipelines.lib.warehouse.sql_files import statement
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import cleaning_up

# "Free (A+,AU,...,JP,...) 3.2% (KR)": rate texts each followed by their program codes
_SPECIAL = re.compile(r"(?P<rate>[^()]+?)\s*\((?P<programs>[^()]*)\)")


def special_program_rate(text: str | None, program: str = "JP") -> str | None:
    """The rate text a special program (``JP`` = U.S.-Japan Trade Agreement) gets in a column-1
    special text, or ``None`` when the program is not listed."""
    for match in _SPECIAL.finditer(clean(text)):
        programs = {p.strip().rstrip("*+") for p in match.group("programs").split(",")}
        if program in programs:
            return match.group("rate").strip()
    return None


def jp_preferences(special_texts: pl.Series) -> pl.DataFrame:
    """(special_text, jp_kind, jp_ad_valorem) for each distinct special text."""
    rows = []
    for text in special_texts.drop_nulls().unique().sort().to_list():
        rate_text = special_program_rate(text)
        rate = parse_rate(rate_text) if rate_text else None
        rows.append((text, rate.rate_kind if rate else None, rate.ad_valorem if rate else None))
    return pl.DataFrame(rows, orient="row", schema={
        "special_text": pl.Utf8, "jp_kind": pl.Utf8, "jp_ad_valorem": pl.Float64})


def load_ledger_tables(con: duckdb.DuckDBPyConnection, book: Ledger) -> dict:
    """Replace the staging.ledger_* tables by the validated ledger (caller's transaction)."""
    frames = {
        "_ledger_instruments": instruments_frame(book),
        "_ledger_rules": rules_frame(book),
        "_ledger_categories": category_prefixes(book),
        "_ledger_units": units_frame(),
        "_ledger_provisions": provisions_frame(book),
        "_ledger_category_sectors": category_sectors(book),
        "_ledger_chapter99": chapter99_frame(book),
        "_ledger_about": about_frame(book),
    }
    ensure_table(con, "staging/ledger", derived=True)  # every row replaced below
    for name, frame in frames.items():
        con.register(name, frame)
    with cleaning_up(lambda: [con.unregister(name) for name in frames]):
        for table in ("instruments", "rules", "categories", "units", "provisions",
                      "category_sectors", "chapter99", "about"):
            run(con, f"DELETE FROM staging.ledger_{table}")
        run(con, statement("staging/ledger", "insert"))
    return {name.removeprefix("_"): frame.height for name, frame in frames.items()}


def build_line_audit(con: duckdb.DuckDBPyConnection, book: Ledger) -> int:
    """Rebuild ``marts.japan_line_audit`` from staging and the ledger tables."""
    name = "marts/japan_line_audit"
    install_rule_macro(con)
    install_release_starts(con)
    params = {"country": book.audit.country_code}
    run(con, statement(name, "entries"), params)
    for step in ("releases", "segments", "categories"):
        run(con, statement(name, step))
    run(con, statement("staging/ledger", "line_categories"))
    run(con, statement(name, "lines"))
    specials = con.sql("SELECT DISTINCT special_text FROM _lines").pl()["special_text"]
    con.register("_jp_preferences", jp_preferences(specials))
    with cleaning_up(lambda: con.unregister("_jp_preferences")):
        run(con, statement(name, "column1"))
        run(con, statement(name, "rated"))
        rows = rebuild_table(con, name, params={
            "tolerance_usd": book.audit.tolerance_usd,
            "tolerance_rate": book.audit.tolerance_rate,
            "promise_tolerance_rate": book.audit.promise_tolerance_rate})
    for temp in ("_entries", "_releases", "_segments", "_category_wanted", "_line_categories",
                 "_lines", "_column1", "_rated"):
        run(con, f"DROP TABLE IF EXISTS {temp}")
    return rows


def build_deal_conformance(con: duckdb.DuckDBPyConnection, book: Ledger) -> int:
    """Rebuild ``marts.deal_conformance_monthly`` from the line audit."""
    return rebuild_table(con, "marts/deal_conformance_monthly",
                         params={"tolerance_rate": book.audit.tolerance_rate,
                                 "tolerance_usd": book.audit.tolerance_usd})


def build_revision_changes(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild ``marts.hts_revision_changes`` from the staging schedule tables."""
    return rebuild_table(con, "marts/hts_revision_changes")


def build_provision_timeline(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild ``marts.provision_timeline`` from the ledger's provisions and the schedule."""
    return rebuild_table(con, "marts/provision_timeline")


def build_unmodelled_provisions(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild ``marts.unmodelled_provisions`` from the schedule's records and the coverage
    ledger (``staging.ledger_chapter99``)."""
    return rebuild_table(con, "marts/unmodelled_provisions")


def build_statutory_rate_daily(con: duckdb.DuckDBPyConnection, book: Ledger) -> int:
    """Rebuild ``marts.statutory_rate_daily``: the partner's statutory and promised rate on every
    day from ``daily_from`` to ``daily_to``, on the base year's line weights. The basket is rated
    once per distinct (release, law regime, agreement regime); each day takes its segment's."""
    name = "marts/statutory_rate_daily"
    install_rule_macro(con)
    install_release_starts(con)
    params = {"country": book.audit.country_code, "weights_year": book.audit.weights_year,
              "daily_from": book.audit.daily_from, "daily_to": book.audit.daily_to}
    run(con, statement(name, "weights"), {k: params[k] for k in ("country", "weights_year")})
    run(con, statement(name, "days"), {k: params[k] for k in ("daily_from", "daily_to")})
    run(con, statement(name, "wanted"))
    run(con, statement("staging/ledger", "line_categories"))
    run(con, statement(name, "segments"))
    rows = rebuild_table(con, name, params={"country": book.audit.country_code,
                                            "weights_year": book.audit.weights_year})
    for temp in ("_weights", "_days", "_category_wanted", "_line_categories", "_daily_segments"):
        run(con, f"DROP TABLE IF EXISTS {temp}")
    return rows


def build_line_rates(con: duckdb.DuckDBPyConnection, book: Ledger) -> int:
    """Rebuild ``marts.line_rates``: the law's and the agreement's rate on every line of the
    loaded releases, interval by interval from the ledger's start to its as_of date."""
    name = "marts/line_rates"
    install_rule_macro(con)
    install_release_starts(con)
    run(con, statement(name, "segments"))
    run(con, statement(name, "wanted"))
    run(con, statement("staging/ledger", "line_categories"))
    rows = rebuild_table(con, name, params={"country": book.audit.country_code,
                                            "weights_year": book.audit.weights_year})
    for temp in ("_lr_segments", "_category_wanted", "_line_categories"):
        run(con, f"DROP TABLE IF EXISTS {temp}")
    return rows
