"""The summary of ``make run`` and ``make summary``: what the published copy holds, read from it
(a run never locks it)."""

from __future__ import annotations

import duckdb

from pipelines.lib.paths import warehouse_path
from pipelines.lib.publish import published_path
from pipelines.lib.rules.scorecard import summary_lines
from pipelines.lib.sources import snapshot
from pipelines.lib.warehouse.tables import table_counts, table_exists


def pct(share: float | None, digits: int = 1) -> str:
    """A share as a percentage, ``n/a`` when it could not be measured (NULL)."""
    return "n/a" if share is None else f"{share:.{digits}%}"


def print_summary() -> None:
    """Tables with their row counts, the latest effective rate of imports from Japan and the
    scorecard of the latest quarter, read from the published copy (never locked by a run); its
    first line says when data is synthetic, its last lines which optional sources the warehouse
    has no row of and what is therefore not measured."""
    path = published_path()
    if not path.exists():
        raise SystemExit(f"no published copy at {path}: run `make run` first")
    with duckdb.connect(str(path), read_only=True) as con:
        notice, mode, published = con.execute(
            "SELECT notice, source_mode, published_at FROM meta.about").fetchone()
        print(f"\n{notice}" if notice else f"\nsource: {mode}")
        print(f"published copy: {path} ({published:%Y-%m-%d %H:%M} UTC; query it with make sql)")
        if table_exists(con, "staging.ledger_about"):
            (checked,) = con.execute("SELECT max(as_of) FROM staging.ledger_about").fetchone()
            print(f"ledger: legal facts checked against their sources as of {checked:%Y-%m-%d}")
        print(f"warehouse: {warehouse_path()}")
        for schema, table, rows in table_counts(con):
            print(f"  {schema + '.' + table:<36} {rows:>10,} rows")
        latest = con.execute(
            "SELECT period, cty_name, sector, con_val, cal_dut, effective_rate "
            "FROM marts.effective_rates_monthly WHERE cty_code = '5880' "
            "AND period = (SELECT max(period) FROM marts.effective_rates_monthly "
            "WHERE cty_code = '5880') ORDER BY sector = 'all' DESC, con_val DESC"
        ).fetchall()
        deal = con.execute(
            "SELECT period, at_promise_value_share, below_promise_value_share,"
            " above_promise_value_share, excess_duty_usd, statutory_gap_value_share,"
            " (SELECT sum(refundable_duty_usd) FROM marts.deal_conformance_monthly"
            "  WHERE category = 'all'),"
            " (SELECT sum(stacking_overpayment_usd) FROM marts.deal_conformance_monthly"
            "  WHERE category = 'all'), rated_value_share, unrated_value_usd, observed_rate,"
            " agreement_rate, statutory_rate FROM marts.deal_conformance_monthly "
            "WHERE category = 'all' ORDER BY period DESC LIMIT 1").fetchall()
        scorecard = summary_lines(con)
        unmeasured = snapshot.not_loaded(con)
    if latest:
        period, name = latest[0][0], latest[0][1]
        print(f"\nimports from {name.title()}, {period:%B %Y}: effective rate by sector")
        for _, _, sector, con_val, cal_dut, rate in latest:
            shown = "n/a" if rate is None else f"{rate:6.2%}"
            print(f"  {sector:<15} {shown:>7}  of ${con_val / 1e6:>10,.1f} m"
                  f"  (duty ${cal_dut / 1e6:,.1f} m)")
    if deal and deal[0][1] is not None:
        (period, at, below, above, excess, gap, refunds, overpaid, rated, unrated, observed,
         promised, statutory) = deal[0]
        print(f"\nthe agreement, {period:%B %Y}, on the {pct(rated)} of the value that has a"
              f" statutory rate (${(unrated or 0) / 1e6:,.1f} m without one, each line's reason in"
              " marts.japan_line_audit):"
              f"\n  collected {pct(observed, 2)}, promised {pct(promised, 2)}, law"
              f" {pct(statutory, 2)}"
              f"\n  value at the promise {pct(at)}, below it {pct(below)} (preferences, FTZ,"
              f" exemptions or under-collection), above it {pct(above)}"
              f" (${(excess or 0) / 1e6:,.1f} m collected above the promise)"
              f"\n  the law itself exceeds the promise on {gap or 0:.1%} of the value")
        print("refundable IEEPA duty collected (5 Apr 2025 - 23 Feb 2026, voided by Learning "
              f"Resources v. Trump): ${(refunds or 0) / 1e6:,.1f} m, of which "
              f"${(overpaid or 0) / 1e6:,.1f} m above the law of its day (stacking filings, "
              "Aug-Sep 2025)"
              "\nmore: make sql Q=\"SELECT * FROM marts.deal_conformance_monthly "
              "WHERE category = 'all' ORDER BY period\"")
    if scorecard:
        print("\n" + "\n".join(scorecard) + "\nmore: make sql Q=\"SELECT * FROM "
              "marts.implementation_scorecard ORDER BY quarter DESC, side, commitment_id\"")
    if unmeasured:  # the optional sources the snapshot lacks: what the figures above leave out
        print("\n" + "\n".join(f"warning: {source.warning()}" for source in unmeasured))
