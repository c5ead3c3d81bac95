"""The line audit's SQL on a small hand-made warehouse: ad valorem equivalents, entry classes,
mixed months and statuses, each case computed by the same statements as the marts."""

from datetime import date

import duckdb
import polars as pl
import pytest

from pipelines.lib.rules import audit
from pipelines.lib.rules.ledger.loader import ledger
from pipelines.lib.rules.rate_text import parse_rates
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.tables import ensure_table
from pipelines.lib.warehouse.transactions import transaction

RELEASES = [("2025HTSBasic", date(2025, 1, 1)), ("2025HTSRev23", date(2025, 9, 16))]
# hs10, general rate text, special text (JP program for the preference case)
LINES = [
    ("6110202010", "16.5%", None),
    ("5208110000", "7.5%", "Free (AU,JP,KR)"),
    ("1101000000", "50¢/kg", None),
    ("2709002090", "10.5¢/bbl", None),
    ("8703230190", "2.5%", None),
    ("0201308090", "26.4%", None),
    ("9999990000", "The rate applicable to the article of which it is a part", None),
    ("7208100015", "Free", None),
]


def _entries(rows):
    columns = ["period", "cty_code", "hs10", "rate_provision", "con_val", "cal_dut", "con_qty1",
               "unit_qty1"]
    frame = pl.DataFrame(rows, schema=columns, orient="row").with_columns(
        pl.col("period").str.to_date(), pl.col("con_val").cast(pl.Int64),
        pl.col("cal_dut").cast(pl.Int64), pl.col("con_qty1").cast(pl.Float64))
    return frame.with_columns(cty_name=pl.lit("JAPAN"), description=pl.lit("x"),
                              summary_lvl=pl.lit("DET"), gen_val=pl.col("con_val"),
                              dut_val=pl.col("con_val"), last_update=pl.lit(None, pl.Date))


@pytest.fixture
def audited(tmp_path):
    def build(entries):
        con = duckdb.connect(str(tmp_path / "w.duckdb"))
        for name in ("raw/hts_releases", "staging/hts_lines", "staging/imports_monthly"):
            ensure_table(con, name)
        releases = pl.DataFrame(RELEASES, schema=["release", "start"], orient="row")
        con.register("_r", releases)
        run(con, "INSERT INTO raw.hts_releases (release, release_start_date) "
                 "SELECT release, start FROM _r")
        parsed = parse_rates([t for _, t, _ in LINES])
        lines = pl.DataFrame(LINES, schema=["hs10", "general_text", "special_text"],
                             orient="row").join(parsed, left_on="general_text",
                                                right_on="rate_text", how="left")
        con.register("_l", lines)
        for release, _ in RELEASES:
            run(con, """INSERT INTO staging.hts_lines BY NAME
                        SELECT $r AS release, hs10, left(hs10, 8) AS hs8, left(hs10, 2) AS chapter,
                               * EXCLUDE (hs10) FROM _l""", {"r": release})
        con.register("_e", _entries(entries))
        run(con, "INSERT INTO staging.imports_monthly BY NAME SELECT * FROM _e")
        with transaction(con):
            audit.load_ledger_tables(con, ledger())
            audit.build_line_audit(con, ledger())
        got = {(str(r[0]), r[1]): dict(zip(
            ["mfn", "statutory", "observed", "agreement", "status", "refundable", "excess",
             "reason", "low", "promise_days", "promise", "category", "refundable_rate",
             "overpaid", "from_instrument"],
            r[2:], strict=True))
            for r in run(con, """SELECT period, hs10, mfn_rate, statutory_rate, observed_rate,
                                 agreement_rate, status, refundable_duty_usd, excess_duty_usd,
                                 reason, statutory_low_rate, promise_days_share, promise_status,
                                 category, refundable_rate, stacking_overpayment_usd,
                                 law_from_instrument_share FROM marts.japan_line_audit""")}
        con.close()
        return got
    return build


def test_specific_rate_ave_from_quantity_and_unit_conversion(audited):
    got = audited([
        # 50¢/kg on a good worth $10/kg: 1,000 kg for $10,000 -> m = 5 %
        ("2025-10-01", "5880", "1101000000", "69", 10_000, 1_500, 1_000, "KG"),
        # the same good reported in tonnes: 1 t = 1,000 kg
        ("2025-11-01", "5880", "1101000000", "69", 10_000, 1_500, 1, "T"),
        # 10.5¢/bbl crude at $70/bbl: m = 0.15 %
        ("2025-10-01", "5880", "2709002090", "69", 7_000_000, 1_050_000, 100_000, "BBL"),
    ])
    assert got[("2025-10-01", "1101000000")]["mfn"] == pytest.approx(0.05)
    assert got[("2025-11-01", "1101000000")]["mfn"] == pytest.approx(0.05)
    assert got[("2025-10-01", "1101000000")]["statutory"] == pytest.approx(0.15)
    assert got[("2025-10-01", "2709002090")]["mfn"] == pytest.approx(0.0015)


def test_missing_quantity_takes_the_nearest_months_unit_value(audited):
    got = audited([
        ("2025-10-01", "5880", "1101000000", "69", 10_000, 1_500, 1_000, "KG"),
        ("2025-12-01", "5880", "1101000000", "69", 20_000, 3_000, None, "X"),
    ])
    december = got[("2025-12-01", "1101000000")]
    assert december["mfn"] == pytest.approx(0.05)
    assert "unit value of 2025-10" in december["reason"]


def test_stacking_month_is_over_collected_and_its_ieepa_duty_refundable(audited):
    # Textiles at 7.5 % filed at m + 15 % in August 2025 (stacking): 15 % was owed.
    got = audited([("2025-08-01", "5880", "5208110000", "69", 1_000_000, 225_000, 0, "KG")])
    line = got[("2025-08-01", "5208110000")]
    assert line["status"] == "over_collected"
    # Aug 1-6 were at m + 10 % (17.5 %), Aug 7-31 at max(15 %, m): day-weighted 15.48 %.
    assert line["statutory"] == pytest.approx((6 * 0.175 + 25 * 0.15) / 31)
    assert "refundable" not in line["reason"]  # the filing covered only 25 of 31 days
    # every IEEPA point above column 1 is refundable: 10 points on Aug 1-6, 7.5 (to 15 %) after
    assert line["refundable_rate"] == pytest.approx((6 * 0.10 + 25 * 0.075) / 31)
    # collected above column 1 (75,000), up to the IEEPA duty as filed (10 + 15 points)
    filed = 1_000_000 * (6 * 0.10 + 25 * 0.15) / 31
    assert line["refundable"] == pytest.approx(min(225_000 - 75_000, filed), abs=0.01)
    # of which above the law of its day: the filings at m + 15 % where max(15 %, m) was owed
    assert line["overpaid"] == pytest.approx(
        line["refundable"] - 1_000_000 * line["refundable_rate"], abs=0.01)
    assert line["overpaid"] > 0


def test_ieepa_duty_is_refundable_and_section_232_and_column_1_are_not(audited):
    got = audited([
        # October 2025, agreement in force: IEEPA tops a 7.5 % line up to 15 % (9903.02.73)
        ("2025-10-01", "5880", "5208110000", "69", 1_000_000, 150_000, 0, "KG"),
        # a car at 15 % under Section 232 (9903.94.41): not refundable
        ("2025-10-01", "5880", "8703230190", "69", 1_000_000, 150_000, 30, "NO"),
        # a 16.5 % line pays column 1 only: nothing above it to refund
        ("2025-10-01", "5880", "6110202010", "69", 100_000, 16_500, 0, "DOZ"),
        # March 2026: Section 122, after the ruling: nothing refundable
        ("2026-03-01", "5880", "5208110000", "69", 1_000_000, 175_000, 0, "KG"),
    ])
    textile = got[("2025-10-01", "5208110000")]
    assert textile["refundable_rate"] == pytest.approx(0.075)
    assert textile["refundable"] == pytest.approx(75_000) and textile["overpaid"] == 0
    for key in [("2025-10-01", "8703230190"), ("2025-10-01", "6110202010"),
                ("2026-03-01", "5208110000")]:
        assert got[key]["refundable_rate"] == 0 and got[key]["refundable"] == 0, key


def test_preference_ftz_and_free_entries(audited):
    got = audited([
        # JP preference claimed (RP 64) on a line whose JP special rate is Free: m = 0 -> 15 %
        ("2025-10-01", "5880", "5208110000", "64", 100_000, 15_000, 0, "KG"),
        # everything into a foreign-trade zone: no duty at entry
        ("2025-10-01", "5880", "6110202010", "00", 50_000, 0, 0, "DOZ"),
        # a passenger car at 15 % and a car under an FTZ split
        ("2025-10-01", "5880", "8703230190", "69", 1_000_000, 150_000, 30, "NO"),
        ("2025-10-01", "5880", "8703230190", "00", 1_000_000, 0, 30, "NO"),
    ])
    assert got[("2025-10-01", "5208110000")]["status"] == "conforms"
    assert got[("2025-10-01", "6110202010")]["status"] == "no_duty_entry"
    car = got[("2025-10-01", "8703230190")]
    assert car["status"] == "conforms" and car["statutory"] == pytest.approx(0.075)


def test_under_collection_exemption_and_insufficient_data(audited):
    got = audited([
        ("2025-10-01", "5880", "6110202010", "69", 100_000, 10_000, 0, "DOZ"),  # 10 % < 16.5 %
        ("2025-12-01", "5880", "0201308090", "61", 100_000, 26_400, 0, "KG"),   # ag exemption
        ("2025-10-01", "5880", "9999990000", "69", 100_000, 5_000, 0, "X"),     # text rate
        ("2025-10-01", "5800", "6110202010", "69", 100_000, 0, 0, "DOZ"),       # not Japan
    ])
    assert got[("2025-10-01", "6110202010")]["status"] == "under_collected"
    assert got[("2025-12-01", "0201308090")]["status"] == "exempt"
    assert got[("2025-10-01", "9999990000")]["status"] == "insufficient_data"
    assert len(got) == 3


def test_section_122_puts_the_law_above_the_promise(audited):
    got = audited([("2026-03-01", "5880", "6110202010", "69", 100_000, 26_500, 0, "DOZ")])
    line = got[("2026-03-01", "6110202010")]
    assert line["status"] == "conforms"
    assert line["statutory"] == pytest.approx(0.265) and line["agreement"] == pytest.approx(0.165)
    assert line["excess"] == pytest.approx(10_000)
    assert "law above the agreement by 10.00 points" in line["reason"]


def test_steel_quota_is_a_range_and_in_quota_steel_conforms(audited):
    got = audited([
        # hot-rolled steel of Japan in 2024: in quota free of the 25 %, over quota 25 %
        ("2024-06-01", "5880", "7208100015", "69", 1_000_000, 0, 100, "T"),
        ("2024-07-01", "5880", "7208100015", "69", 1_000_000, 250_000, 100, "T"),
        ("2024-08-01", "5880", "7208100015", "69", 1_000_000, 120_000, 100, "T"),  # a mix
        ("2024-09-01", "5880", "7208100015", "69", 1_000_000, 300_000, 100, "T"),  # above
    ])
    for month in ("2024-06-01", "2024-07-01", "2024-08-01"):
        line = got[(month, "7208100015")]
        assert line["category"] == "steel"
        assert (line["low"], line["statutory"]) == (pytest.approx(0.0), pytest.approx(0.25))
        assert line["status"] == "conforms", month
        assert "0.00%-25.00% owed" in line["reason"]
    assert got[("2024-09-01", "7208100015")]["status"] == "over_collected"


def test_an_answer_without_rate_provision_may_have_claimed_the_jp_rate(audited):
    got = audited([
        # cotton fabric, m = 7.5 %, JP special rate Free: before 2025 the range is 0 - 7.5 %
        ("2024-06-01", "5880", "5208110000", "", 100_000, 0, 0, "KG"),
        ("2024-07-01", "5880", "5208110000", "", 100_000, 7_500, 0, "KG"),
        # with the agreement, max(15 %, m) on either rate: 15 % both ways
        ("2025-10-01", "5880", "5208110000", "", 100_000, 15_000, 0, "KG"),
        # a line without a JP rate stays exact
        ("2024-06-01", "5880", "6110202010", "", 100_000, 0, 0, "DOZ"),
    ])
    for month in ("2024-06-01", "2024-07-01"):
        line = got[(month, "5208110000")]
        assert (line["low"], line["statutory"]) == (pytest.approx(0.0), pytest.approx(0.075))
        assert line["status"] == "conforms"
    october = got[("2025-10-01", "5208110000")]
    assert october["low"] == pytest.approx(0.15) and october["status"] == "conforms"
    sweater = got[("2024-06-01", "6110202010")]
    assert sweater["low"] == pytest.approx(sweater["statutory"])
    assert sweater["status"] == "under_collected"


def test_the_agreement_rate_counts_only_days_with_a_promise(audited):
    # September 2025: the autos promise starts on the 16th; before it, 25 % + m was the law.
    got = audited([("2025-09-01", "5880", "8703230190", "69", 3_000_000, 450_000, 100, "NO")])
    car = got[("2025-09-01", "8703230190")]
    assert car["promise_days"] == pytest.approx(15 / 30)
    assert car["agreement"] == pytest.approx(0.15)          # not 21.25 %
    assert car["statutory"] == pytest.approx((15 * 0.275 + 15 * 0.15) / 30)
    # collected 15 % all month: below the blend of promised and statutory days
    assert car["promise"] == "below_promise"


@pytest.mark.parametrize(("duty", "status"), [
    (15_000, "at_promise"), (15_400, "at_promise"), (14_000, "below_promise"),
    (20_000, "above_promise")])
def test_three_promise_statuses_with_the_ledger_tolerance(audited, duty, status):
    # Cotton fabric at max(15 %, m) in October 2025; tolerance 0.5 points of $100,000 = $500.
    got = audited([("2025-10-01", "5880", "5208110000", "69", 100_000, duty, 0, "KG")])
    assert got[("2025-10-01", "5208110000")]["promise"] == status


def test_no_promise_before_the_agreement(audited):
    got = audited([("2025-06-01", "5880", "5208110000", "69", 100_000, 17_500, 0, "KG")])
    line = got[("2025-06-01", "5208110000")]
    assert line["promise"] is None and line["agreement"] is None
    assert line["promise_days"] == 0
