"""The outside_history rule of the Census staging on a real DuckDB file, months loaded as the
pipeline loads them: only the lines of candidate values (above the floor, beyond the partner's
previous month) get their history read, and that history is every other staged month of the
line summed over its rate provisions, never the month being staged again."""

import json

import duckdb

from pipelines.defs.quality.checks import plausibility
from pipelines.lib.sources.census import reader as census
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import ensure_schemas
from pipelines.lib.warehouse.transactions import transaction

HEADER = ["I_COMMODITY", "CTY_CODE", "CTY_NAME", "CON_VAL_MO", "CAL_DUT_MO", "RP", "LAST_UPDATE",
          "time"]
JAPAN = "5880"
A, B, C, E = "0101210010", "0101210020", "0101290000", "0102210000"
SMALL = 1000  # duty of every line in the previous month, and of the first vintage of the month
CON_VAL = "1000000"  # the same each row and month: the partner total rule stays quiet


def _load(con, tmp_path, period, rows, revised, limits):
    """One answer for Japan in the snapshot layout, dated by LAST_UPDATE, loaded and staged."""
    path = tmp_path / "census" / "imports_hs" / period / f"CTY_CODE={JAPAN}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([HEADER] + [
        [hs10, JAPAN, "JAPAN", CON_VAL, str(duty), rp, revised, period]
        for hs10, rp, duty in rows]))
    with transaction(con):
        census.load_raw_month(con, "imports_hs", period, [path], tmp_path)
        census.build_staging_month(con, "imports_hs", period, 1.0, limits)


def test_outside_history_reads_the_history_of_candidate_lines_only(tmp_path):
    limits = plausibility("staging.imports_monthly")
    factor, partner = limits["history_factor"], limits["partner_total_factor"]
    big = 2 * int(limits["min_usd"])  # a candidate: above the floor, far above Japan's month
    a_history = big // (2 * factor)   # A's largest month: big is 2 x factor times it
    b_half = 3 * big // (4 * factor)  # B's month: each rate provision alone would let big fire
    assert factor * a_history < big < factor * 2 * b_half and factor * b_half < big
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schemas(con)
    _load(con, tmp_path, "2025-01", [
        (A, "61", 3 * a_history // 5), (A, "10", 2 * a_history // 5),
        (B, "61", b_half), (B, "10", b_half), (E, "61", SMALL)], "2025-02-10", limits)
    _load(con, tmp_path, "2025-02", [(A, "61", SMALL), (B, "61", SMALL), (E, "61", SMALL)],
          "2025-03-10", limits)
    # March staged first with small duties (C too), then revised: the staged first vintage
    # of March is not C's history, C has none.
    march = [(A, "61", SMALL), (B, "61", SMALL), (C, "61", SMALL), (E, "61", SMALL)]
    _load(con, tmp_path, "2025-03", march, "2025-04-10", limits)
    assert run(con, "SELECT count(*) FROM quarantine.imports_monthly") == [(0,)]
    # E stays under the floor, however far above its history
    march = [(A, "61", big), (B, "61", big), (C, "61", big), (E, "61", int(limits["min_usd"]) - 1)]
    _load(con, tmp_path, "2025-03", march, "2025-05-10", limits)

    previous = 3 * SMALL
    assert big > partner * previous
    allows = f"the contract allows {factor:g}x and {partner:g}x"
    tail = (f"and {big / previous:.1f}x the partner's total of the previous month "
            f"({previous}); {allows}")
    assert run(con, "SELECT record ->> 'i_commodity', rule, field, value, reason "
                    "FROM quarantine.imports_monthly ORDER BY ALL") == [
        (A, "outside_history", "CAL_DUT_MO", str(big),
         f"CAL_DUT_MO of {big} USD is {big / a_history:.0f}x the line's largest other month "
         f"({a_history}) {tail}"),
        (C, "outside_history", "CAL_DUT_MO", str(big),
         f"CAL_DUT_MO of {big} USD is in a line without value in any other month {tail}"),
    ]
    assert run(con, "SELECT hs10, cal_dut FROM staging.imports_monthly "
                    "WHERE period = DATE '2025-03-01' ORDER BY ALL") == [
        (B, big), (E, int(limits["min_usd"]) - 1)]
    con.close()
