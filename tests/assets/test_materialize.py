"""Every asset materialized in-process from the offline sample into a temporary DuckDB file."""

import dagster as dg
import duckdb
import pytest

from pipelines.definitions import defs
from pipelines.lib.rules.mirror import load_minerals
from pipelines.stages import JAPAN, MARTS, SCHEDULE, TRADE, run_assets
from tests.helpers import table_checksums


def _materialize(instance, resources, selection, keys=None):
    return run_assets(instance, selection, keys, resources, log_level="DEBUG")


def test_definitions_load():
    dg.Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert {"raw/hts_releases", "staging/hts_lines", "staging/imports_monthly",
            "marts/effective_rates_monthly"} <= keys


def test_every_table_is_filled(built):
    _, _, path = built
    counts = {t: n for t, (n, _) in table_checksums(path).items()}
    for table in ("raw.hts_releases", "raw.hts_records", "staging.hts_lines",
                  "staging.hts_chapter99", "raw.census_imports", "raw.census_exports",
                  "staging.imports_monthly", "staging.exports_monthly",
                  "marts.effective_rates_monthly"):
        assert counts.get(table, 0) > 0, table
    with duckdb.connect(str(path), read_only=True) as con:
        detail = con.execute("SELECT count(*) FROM raw.census_imports "
                             "WHERE comm_lvl = 'HS10'").fetchone()[0]
        # the all-partner answers of the mineral lines repeat the rows of the countries
        # that have requests of their own, and carry group and total rows
        repeats = con.execute("""
            SELECT count(*) FROM raw.census_imports a
            WHERE NOT contains(a.request, 'CTY_CODE=') AND (a.summary_lvl <> 'DET' OR EXISTS (
                SELECT 1 FROM raw.census_imports c WHERE contains(c.request, 'CTY_CODE=')
                AND c.period = a.period AND c.i_commodity = a.i_commodity
                AND c.cty_code = a.cty_code))""").fetchone()[0]
    # every other HS10 answer row is staged; the chapter totals (HS2) only reconcile them
    assert repeats > 0
    assert detail - repeats == counts["staging.imports_monthly"] < counts["raw.census_imports"]


def test_releases_are_partitions_and_every_line_has_a_rate(built):
    instance, _, path = built
    assert len(instance.get_dynamic_partitions("hts_release")) >= 3
    with duckdb.connect(str(path), read_only=True) as con:
        per_release = con.execute(
            "SELECT release, count(DISTINCT hs8), count(*) FILTER (WHERE general_text IS NULL) "
            "FROM staging.hts_lines GROUP BY 1").fetchall()
    for release, hs8_lines, without_rate in per_release:
        assert hs8_lines >= 400 and without_rate == 0, release


def test_japan_effective_rates_cover_every_month_and_sector(built):
    _, _, path = built
    with duckdb.connect(str(path), read_only=True) as con:
        months = con.execute("SELECT count(DISTINCT period) FROM marts.effective_rates_monthly "
                             "WHERE cty_code = '5880' AND sector = 'all'").fetchone()[0]
        sectors = {s for (s,) in con.execute(
            "SELECT DISTINCT sector FROM marts.effective_rates_monthly WHERE cty_code = '5880'"
        ).fetchall()}
        # 'all' is the sum of its sectors, computed independently from staging.
        mismatch = con.execute("""
            SELECT count(*) FROM (
                SELECT period, sum(cal_dut) FILTER (WHERE sector <> 'all') AS parts,
                       sum(cal_dut) FILTER (WHERE sector = 'all') AS total
                FROM marts.effective_rates_monthly WHERE cty_code = '5880' GROUP BY 1)
            WHERE parts <> total""").fetchone()[0]
        staged = con.execute("SELECT sum(cal_dut) FROM staging.imports_monthly "
                             "WHERE cty_code = '5880'").fetchone()[0]
        marted = con.execute("SELECT sum(cal_dut) FROM marts.effective_rates_monthly "
                             "WHERE cty_code = '5880' AND sector = 'all'").fetchone()[0]
    assert months == 33
    assert sectors == {"all", "autos", "auto_parts", "civil_aircraft", "metals", "pharma",
                       "other"}
    assert mismatch == 0 and staged == marted


def test_running_a_partition_twice_changes_nothing(built):
    instance, resources, path = built
    before = table_checksums(path)
    assert _materialize(instance, resources, TRADE, ["2025-09-01", "2025-09-01"]).success
    releases = instance.get_dynamic_partitions("hts_release")
    assert _materialize(instance, resources, SCHEDULE, [releases[1], releases[1]]).success
    assert _materialize(instance, resources, MARTS).success
    assert table_checksums(path) == before


def _conformance(path, category="all"):
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT strftime(period, '%Y-%m'), observed_rate, statutory_rate, agreement_rate, "
            "at_promise_value_share, excess_duty_usd, stacking_overpayment_usd, "
            "statutory_gap_value_share, promise_days_share, rated_value_share, "
            "above_promise_value_share, refundable_duty_usd FROM marts.deal_conformance_monthly "
            "WHERE category = ? ORDER BY period", [category]).fetchall()
    keys = ("observed", "statutory", "agreement", "at_promise", "excess", "overpaid", "law_gap",
            "promise_days", "rated", "above_promise", "refundable")
    return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in rows}


def test_all_four_audit_marts_are_built(built):
    _, _, path = built
    counts = {t: n for t, (n, _) in table_checksums(path).items()}
    for table in ("marts.japan_line_audit", "marts.deal_conformance_monthly",
                  "marts.provision_timeline", "marts.hts_revision_changes"):
        assert counts.get(table, 0) > 0, table


def test_ieepa_months_are_refundable_and_the_stacking_months_overpaid(built):
    months = _conformance(built[2])
    # every IEEPA duty from 5 Apr 2025 to 23 Feb 2026 is refundable (Learning Resources v. Trump)
    refundable = {m for m, row in months.items() if (row["refundable"] or 0) > 0}
    assert refundable == {f"2025-{m:02d}" for m in range(4, 13)} | {"2026-01", "2026-02"}
    # of which above the law of its day: the stacking filings only
    overpaid = {m for m, row in months.items() if (row["overpaid"] or 0) > 0}
    assert overpaid == {"2025-08", "2025-09"}
    # The filings at m + 15 % put collections above the retroactive law in those months only.
    assert months["2025-08"]["observed"] > months["2025-08"]["statutory"] + 0.003
    assert months["2025-08"]["at_promise"] < 0.9
    assert months["2025-08"]["above_promise"] > 0.1


def test_autos_switch_in_september_2025(built):
    autos = _conformance(built[2], "autos")
    # The autos promise starts on 16 Sep: the agreement rate counts only those 15 days.
    assert autos["2025-09"]["promise_days"] == pytest.approx(15 / 30)
    assert autos["2025-08"]["agreement"] is None
    assert 0.14 < autos["2025-09"]["agreement"] < 0.16   # not the 21 % of a blend (FTZ at 0)
    assert all(0.95 < row["rated"] <= 1 for row in autos.values())
    assert autos["2025-08"]["observed"] > 0.25          # 25 % + m before 16 Sep
    assert 0.14 < autos["2025-10"]["observed"] < 0.16   # max(15 %, m) after
    assert autos["2025-10"]["observed"] < autos["2025-09"]["observed"] < autos["2025-08"][
        "observed"]


def test_february_2026_breaks_the_agreement(built):
    months = _conformance(built[2])
    before, after = months["2026-01"], months["2026-03"]
    assert before["law_gap"] is None or before["law_gap"] < 0.001
    assert after["law_gap"] > 0.01                    # Section 122: m + 10 % > max(15 %, m)
    assert after["at_promise"] < before["at_promise"]
    assert after["excess"] > 3 * before["excess"]
    assert after["observed"] < before["observed"]      # goods with m < 5 % pay less


def test_provision_timeline_comes_from_the_sample_schedule(built):
    _, _, path = built
    with duckdb.connect(str(path), read_only=True) as con:
        got = dict(con.execute("SELECT heading, first_release || ' ' || first_release_date "
                               "FROM marts.provision_timeline").fetchall())
    assert got["9903.02.73"] == "2025HTSRev23 2025-09-16"
    assert got["9903.02.30"] == "2025HTSRev18 2025-08-07"
    assert got["9903.03.01"] == "2026HTSRev4 2026-02-24"
    with duckdb.connect(str(path), read_only=True) as con:
        lags = con.execute("SELECT days_law_to_schedule, days_effect_to_schedule "
                           "FROM marts.provision_timeline WHERE heading = '9903.02.73'").fetchone()
    # EO 14345 was published on 9 Sep 2025 with effect from 7 Aug: 7 days from publication to
    # the schedule, 40 from legal effect.
    assert lags == (7, 40)


# Japan's side of the deal and the scorecard (DOMAIN.md §1 and the U.S. promises)
COMMITMENTS = {"jp-investment-550bn", "jp-rice", "jp-agriculture-8bn", "jp-energy-7bn",
               "jp-aircraft-100", "jp-defense-17bn", "jp-auto-standards", "jp-ev-subsidies",
               "us-general-15",
               "us-autos-parts-15", "us-civil-aircraft", "us-wood-cap-15", "us-ag-exemptions",
               "us-pharma-semis", "us-quarterly-review", "jp-critical-minerals",
               "us-critical-minerals"}
PURCHASES = {"jp-rice", "jp-agriculture-8bn", "jp-energy-7bn", "jp-aircraft-100"}
MINERALS = {"jp-critical-minerals", "us-critical-minerals"}


def _rows(path, sql, params=None):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def test_the_scorecard_has_every_commitment_in_every_quarter(built):
    path = built[2]
    columns = [c for (c,) in _rows(path, "SELECT column_name FROM duckdb_columns() WHERE "
                                         "table_name = 'implementation_scorecard' "
                                         "ORDER BY column_index")]
    assert columns[:6] == ["quarter", "side", "commitment_id", "indicator", "value", "target"]
    assert {"status", "evidence", "as_of", "verified"} <= set(columns)
    latest = dict(_rows(path, "SELECT commitment_id, count(*) FROM "
                              "marts.implementation_scorecard WHERE quarter = '2026Q3' "
                              "GROUP BY 1"))
    groups = len(load_minerals().groups)
    # purchases: one row per book (Census exports, Japan's imports); minerals: one per group;
    # the investment: one per tranche known by then (the candidate list of 28 Oct 2025, tranches
    # 1 and 2) and the total
    assert latest == {c: 2 if c in PURCHASES else groups if c in MINERALS
                      else 4 if c == "jp-investment-550bn" else 1 for c in COMMITMENTS}
    quarters = dict(_rows(path, "SELECT commitment_id, list(DISTINCT quarter ORDER BY quarter) "
                                "FROM marts.implementation_scorecard GROUP BY 1"))
    assert quarters["jp-rice"] == ["2025Q3", "2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert quarters["us-ag-exemptions"] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert quarters["jp-critical-minerals"] == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]


def test_the_sample_exercises_every_status(built):
    statuses = _rows(built[2], "SELECT quarter, commitment_id, split_part(indicator, ':', 1), "
                               "status, legal_basis FROM marts.implementation_scorecard")
    assert {s for _, _, _, s, _ in statuses} == {"kept", "broken", "late", "on_track", "behind",
                                                 "pending", "monitored", "not_measurable"}
    by = {(q, c): s for q, c, _, s, _ in statuses}
    # the stacking filings (above the cap only by what the retroactive law made refundable),
    # the agreement in force, then Section 122 and the Section 301 action, at or below the cap
    # on most of the value although the promise's instrument was voided
    assert [by[(q, "us-general-15")] for q in ("2025Q3", "2025Q4", "2026Q1", "2026Q3")] == [
        "late", "kept", "kept", "kept"]
    basis = {q: b for q, c, _, _, b in statuses if c == "us-general-15"}
    assert basis["2025Q4"].startswith("in force: EO 14345")
    assert basis["2026Q3"].startswith("voided: EO 14345 (IEEPA) was voided by Learning "
                                      "Resources, Inc. v. Trump from 2026-02-24")
    assert by[("2026Q3", "us-autos-parts-15")] == "kept"  # the 232 deal continues
    # the aircraft exemption reached the schedule on 16 Sep but September was collected above it
    assert by[("2025Q3", "us-civil-aircraft")] == "broken"
    # minerals and the review: no agreed target, never a verdict
    assert {s for (q, c), s in by.items() if "minerals" in c or c == "us-quarterly-review"} == {
        "monitored"}
    assert by[("2025Q3", "jp-investment-550bn")] == "pending"  # nothing selected, nothing due


def test_purchases_are_measured_from_census_exports_in_the_commitment_unit(built):
    path = built[2]
    rice = _rows(path, """
        SELECT p.actual, sum(e.qty1) / 1000
        FROM marts.commitment_progress p
        JOIN staging.exports_monthly e
          ON e.period = p.period AND e.cty_code = '5880' AND starts_with(e.hs10, '1006')
        WHERE p.commitment_id = 'jp-rice' AND p.source = 'us_exports'
        GROUP BY p.period, p.actual""")
    assert len(rice) == 14 and all(a == pytest.approx(t) for a, t in rice)
    # the August 2026 Census answer carries an aircraft shipment without its quantity (Japan's
    # own statistics have a row per month too: read the Census one)
    aircraft = {str(p)[:7]: (a, e, s) for p, a, e, s in _rows(path, """
        SELECT period, actual, unit_errors, status FROM marts.commitment_progress
        WHERE commitment_id = 'jp-aircraft-100' AND source = 'us_exports'""")}
    assert aircraft["2026-08"] == (None, 1, "not_measurable")
    # 100 aircraft with no date agreed: counted, nothing due
    assert aircraft["2026-07"][0] is not None and aircraft["2026-07"][2] == "pending"
    assert _rows(path, "SELECT DISTINCT source FROM marts.commitment_progress "
                       "ORDER BY 1") == [("japan_imports",), ("us_exports",)]


def test_purchases_are_measured_from_japans_statistics_too(built):
    path = built[2]
    # the energy commitment: Japan's imports from the U.S. (304) in thousand yen at each
    # month's mean rate, computed here from staging
    energy = _rows(path, """
        SELECT p.period, p.actual, sum(t.value_jpy_thousand) * 1000 / any_value(fx.per_usd)
        FROM marts.commitment_progress p
        JOIN staging.japan_trade_monthly t
          ON t.period = p.period AND t.direction = 'import' AND t.country_code = '304'
         AND (starts_with(t.hs9, '2709') OR starts_with(t.hs9, '2710')
              OR starts_with(t.hs9, '2711') OR starts_with(t.hs9, '2701'))
        JOIN staging.fx_monthly fx ON fx.period = p.period AND fx.currency = 'JPY'
        WHERE p.commitment_id = 'jp-energy-7bn' AND p.source = 'japan_imports'
        GROUP BY p.period, p.actual""")
    assert len(energy) == 14 and all(a == pytest.approx(e) for _, a, e in energy)
    rice = _rows(path, """
        SELECT p.actual, sum(t.quantity2) / 1000 FROM marts.commitment_progress p
        JOIN staging.japan_trade_monthly t
          ON t.period = p.period AND t.direction = 'import' AND t.country_code = '304'
         AND starts_with(t.hs9, '1006') AND t.unit2 = 'KG'
        WHERE p.commitment_id = 'jp-rice' AND p.source = 'japan_imports'
        GROUP BY p.period, p.actual""")
    assert len(rice) == 14 and all(a == pytest.approx(t) for a, t in rice)
    # CIF and a month at sea: Japan's books run above the U.S. ones, by less than 15 %
    books = dict(_rows(path, "SELECT source, cumulative_actual FROM marts.commitment_progress "
                             "WHERE commitment_id = 'jp-energy-7bn' "
                             "AND period = DATE '2026-09-01'"))
    assert 1.0 < books["japan_imports"] / books["us_exports"] < 1.15
    # Japan counts the aircraft whose quantity the August 2026 Census answer lacks
    (aircraft,) = _rows(path, "SELECT actual, status FROM marts.commitment_progress WHERE "
                              "commitment_id = 'jp-aircraft-100' AND source = 'japan_imports' "
                              "AND period = DATE '2026-08-01'")
    assert aircraft[0] >= 1 and aircraft[1] == "pending"


def test_the_scorecard_monitors_each_importers_dependence_on_china(built):
    path = built[2]
    rows = _rows(path, """
        SELECT s.quarter, s.commitment_id, split_part(s.indicator, ':', 1), s.value, s.target,
               s.status, d.china_share, d.baseline_china_share
        FROM marts.implementation_scorecard s
        JOIN staging.ledger_commitments c USING (commitment_id)
        LEFT JOIN marts.critical_minerals_dependence d
          ON d.mineral_group = split_part(s.indicator, ':', 1) AND d.window_months = 12
         AND d.importer = CASE c.side WHEN 'us' THEN 'united_states' ELSE 'japan' END
         AND d.period = (SELECT max(period) FROM marts.critical_minerals_dependence
                         WHERE period <= s.as_of)
        WHERE c.measure = 'minerals_dependence'""")
    groups = {g.id for g in load_minerals().groups}
    assert len(rows) == 2 * 4 * len(groups)          # two importers, 2025Q4 .. 2026Q3
    for quarter, commitment, group, value, target, status, share, baseline in rows:
        assert group in groups
        # the share beside the 12 months before the framework, and no verdict
        assert (value, target) == (pytest.approx(share), pytest.approx(baseline)), (
            quarter, commitment, group)
        assert status == "monitored"


def test_the_investment_ledger_runs_the_funding_clock(built):
    path = built[2]
    tranches = _rows(path, "SELECT tranche_id, stage, event_date::VARCHAR, amount_usd "
                           "FROM marts.investment_tranches WHERE stage <> 'candidate' "
                           "ORDER BY event_date")
    # tranche 2 (19 Mar 2026) is a candidate list, never selected, so it has no clock; tranche
    # 1 was funded (JBIC loans, in yen: no USD amount) on 1 May 2026, after its 45 days
    assert tranches == [("tranche-1", "selected", "2026-02-17", 36e9),
                        ("tranche-1", "overdue", "2026-04-04", 36e9),
                        ("tranche-1", "funded", "2026-05-01", 36e9)]
    # JBIC's loans state no USD amount: the selected amount stands in for it, and says so
    assert _rows(path, "SELECT funding_amount_stated FROM marts.investment_tranches "
                       "WHERE stage = 'funded'") == [(False,)]
    (selected,) = _rows(path, "SELECT cumulative_usd, round(target_share, 3) FROM "
                              "marts.investment_progress WHERE stage = 'selected' "
                              "AND date = DATE '2026-09-30'")
    assert selected == (36e9, round(36 / 550, 3))
    (overdue,) = _rows(path, "SELECT cumulative_usd FROM marts.investment_progress "
                             "WHERE stage = 'overdue' AND date = DATE '2026-09-30'")
    assert overdue == (0,)


@pytest.mark.parametrize("day", ["2025-02-01", "2025-10-01", "2026-03-01"])
def test_daily_statutory_rate_matches_a_hand_computation(built, day):
    """The fixed-weight series on days where the law is unambiguous (baseline column 1 with
    the steel quota's high bound; the agreement's max(15 %, m); Section 122's m + 10 %),
    recomputed line by line in Python from the ledger's own rules."""
    from datetime import date

    from pipelines.lib.rules.ledger.frames import units_frame
    from pipelines.lib.rules.ledger.loader import ledger
    from pipelines.lib.rules.ledger.queries import category_of, rates_on

    book, when = ledger(), date.fromisoformat(day)
    factors = {(u, h): f for u, h, f in units_frame().iter_rows()}
    with duckdb.connect(str(built[2]), read_only=True) as con:
        release = con.execute("SELECT release FROM raw.hts_releases WHERE release_start_date <= ?"
                              " ORDER BY release_start_date DESC LIMIT 1", [when]).fetchone()[0]
        weights = con.execute(
            "SELECT hs10, sum(con_val), sum(con_qty1), max(unit_qty1) FROM staging.imports_monthly"
            " WHERE cty_code = '5880' AND year(period) = 2024 GROUP BY 1 HAVING sum(con_val) > 0"
        ).fetchall()
        lines = {r[0]: r[1:] for r in con.execute(
            "SELECT hs10, rate_kind, ad_valorem, specific_amount, specific_unit, "
            "specific_amount_2, specific_unit_2, coalesce(specific_basis, specific_basis_2) "
            "FROM staging.hts_lines WHERE release = ? ORDER BY hs10", [release]).fetchall()}
        got = con.execute("SELECT statutory_rate, rated_value_share, hts_release FROM "
                          "marts.statutory_rate_daily WHERE date = ?", [when]).fetchone()
    by_hs8 = {}
    for hs10, row in lines.items():
        by_hs8.setdefault(hs10[:8], row)
    duty = rated = total = 0.0
    for hs10, value, qty, unit in weights:
        total += value
        line = lines.get(hs10) or by_hs8.get(hs10[:8])
        if line is None or hs10.startswith("9999"):
            continue
        kind, ad_valorem, amount, unit1, amount2, unit2, basis = line
        if kind in ("free", "ad_valorem"):
            m = ad_valorem
        elif kind in ("specific", "compound") and basis is None and (qty or 0) > 0 \
                and (unit, unit1) in factors and (amount2 is None or (unit, unit2) in factors):
            m = (ad_valorem or 0) + (amount * qty * factors[(unit, unit1)] + (
                amount2 * qty * factors[(unit, unit2)] if amount2 is not None else 0)) / value
        else:
            continue
        rated += value
        duty += value * rates_on(book, category_of(book, hs10, when), m, when)["statutory"]
    assert got[2] == release
    assert got[0] == pytest.approx(duty / rated, abs=1e-9)
    assert got[1] == pytest.approx(rated / total, abs=1e-9)


def test_daily_series_covers_every_day_and_moves_with_the_law(built):
    with duckdb.connect(str(built[2]), read_only=True) as con:
        days = dict(con.execute("SELECT strftime(date, '%Y-%m-%d'), statutory_rate "
                                "FROM marts.statutory_rate_daily").fetchall())
        span = con.execute("SELECT min(date), max(date), count(*) "
                           "FROM marts.statutory_rate_daily").fetchone()
    assert str(span[0]) == "2025-01-01" and span[2] == (span[1] - span[0]).days + 1
    assert days["2025-04-05"] > days["2025-04-04"] + 0.02     # the reciprocal baseline
    assert days["2025-09-16"] < days["2025-09-15"]           # autos to max(15 %, m)
    assert days["2026-02-24"] < days["2026-02-23"]           # Section 122 m + 10 %


# --- Japan's statistics, the exchange rate, the mirror and the minerals marts ------------------

def test_japan_statistics_keep_provisional_and_confirmed(built):
    _, _, path = built
    # the release of September 2026 confirms August and gives September as provisional; the
    # August release's provisional August stays in raw as a vintage
    statuses = dict(_rows(path, "SELECT strftime(period, '%Y-%m'), any_value(status) "
                                "FROM staging.japan_trade_monthly WHERE period >= '2026-08-01' "
                                "GROUP BY 1"))
    assert statuses == {"2026-08": "confirmed", "2026-09": "provisional"}
    releases = {r for (r,) in _rows(path, "SELECT DISTINCT release FROM raw.japan_trade")}
    assert {"exp_2026-08", "exp_2026-09", "imp_2024_confirmed"} <= releases
    encodings = {e for (e,) in _rows(path, "SELECT DISTINCT encoding FROM raw.japan_trade")}
    assert encodings == {"utf-8", "shift_jis"}
    revised = _rows(path, """
        SELECT count(*) FROM raw.japan_trade p JOIN raw.japan_trade c
          ON replace(p.hs, chr(39), '') = replace(c.hs, chr(39), '') AND p.country = c.country
        WHERE p.release = 'exp_2026-08' AND c.release = 'exp_2026-09'
          AND p.value_aug <> c.value_aug""")[0][0]
    assert revised > 0


def test_fx_months_cover_the_sample(built):
    _, _, path = built
    months, low, high = _rows(path, "SELECT count(*), min(per_usd), max(per_usd) "
                                    "FROM staging.fx_monthly WHERE currency = 'JPY'")[0]
    assert months >= 44 and 100 < low < high < 200   # 2023-01 .. 2026-09


def test_mirror_books_agree_within_valuation_and_timing(built):
    _, _, path = built
    rows = _rows(path, "SELECT direction, median(median_ratio), min(lines_both_sides) "
                       "FROM marts.mirror_trade_distribution GROUP BY 1 ORDER BY 1")
    ratios = {d: (r, n) for d, r, n in rows}
    # Japan's CIF imports exceed U.S. FAS exports; Japan's FOB exports are close to U.S. imports
    assert 1.0 < ratios["us_exports_to_japan"][0] < 1.2
    assert 0.9 < ratios["us_imports_from_japan"][0] < 1.05
    assert ratios["us_imports_from_japan"][1] > 100
    months = _rows(path, "SELECT count(DISTINCT (period, direction)) FROM marts.mirror_trade")
    assert months[0][0] == 2 * 33


def test_minerals_dependence_china_dominant_and_moving(built):
    _, _, path = built
    rows = _rows(path, """
        SELECT importer, mineral_group, china_share, top_supplier, baseline_china_share
        FROM marts.critical_minerals_dependence
        WHERE window_months = 12 AND period = DATE '2026-09-01'""")
    assert len(rows) == 2 * 9
    by = {(i, g): (c, t, b) for i, g, c, t, b in rows}
    for importer in ("united_states", "japan"):
        share, top, baseline = by[importer, "rare_earth_metals"]
        assert top == "CHINA (INCL. HONG KONG)" and share > 0.6
        assert share < baseline   # the sample's story: less dependent after the framework
    assert by["united_states", "cobalt"][1] == "NORWAY"
    windows = _rows(path, "SELECT DISTINCT window_months FROM marts.critical_minerals_dependence")
    assert sorted(w for (w,) in windows) == [1, 12]


def test_reloading_japan_statistics_changes_nothing(built):
    instance, resources, path = built
    before = table_checksums(path)
    assert _materialize(instance, resources, JAPAN).success
    assert table_checksums(path) == before
