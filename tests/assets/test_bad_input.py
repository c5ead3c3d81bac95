"""The malformed-input corpus: each bad answer either stops its partition with a message naming
the source, the request or file, and the field, leaving every table byte-for-byte as it was, or
(row-level faults under the contract's threshold) is quarantined while the rest proceeds.

Each case builds an overlay snapshot: the sample with one file replaced, everything else
linked, and runs the affected assets against a copy of a warehouse built from the sample."""

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.lib.errors import SourceError
from pipelines.lib.sources.census import reader as census
from pipelines.lib.sources.snapshot import record_landing
from pipelines.stages import MARTS
from tests.assets.conftest import EXPORTS, JAPAN_AUTOS, JAPAN_MONTH_FILES, RELEASE
from tests.helpers import table_checksums


def _column(rows, name):
    return rows[0].index(name)


# --- Census answers: batch-level faults stop the month -----------------------------------------

def test_truncated_json(case):
    case.write(JAPAN_AUTOS, case.read(JAPAN_AUTOS)[:-200])
    case.expect_refusal(case.run_month(), "Census imports/hs", "CTY_CODE=5880_I_COMMODITY=87",
                        "'body'")


def test_html_page_instead_of_json(case):
    case.write(JAPAN_AUTOS, b"<!DOCTYPE html><html><body>Invalid key</body></html>")
    case.expect_refusal(case.run_month(), "Census imports/hs", "CTY_CODE=5880_I_COMMODITY=87",
                        "'body'")


def test_header_row_length_mismatch(case):
    rows = case.answer()
    rows[5] = rows[5][:-1]
    case.write_answer(rows)
    case.expect_refusal(case.run_month(), "CTY_CODE=5880_I_COMMODITY=87", "'row'")


def test_missing_column(case):
    rows = case.answer()
    at = _column(rows, "CAL_DUT_MO")
    case.write_answer([r[:at] + r[at + 1:] for r in rows])
    case.expect_refusal(case.run_month(), "CTY_CODE=5880_I_COMMODITY=87", "'CAL_DUT_MO'",
                        "schema change")


def test_extra_column(case):
    rows = case.answer()
    case.write_answer([rows[0] + ["NEW_VAR_MO"]] + [r + ["1"] for r in rows[1:]])
    case.expect_refusal(case.run_month(), "CTY_CODE=5880_I_COMMODITY=87", "'NEW_VAR_MO'",
                        "schema change")


def test_month_that_does_not_match_the_request(case):
    rows = case.answer()
    at = _column(rows, "time")
    case.write_answer([rows[0]] + [r[:at] + ["2025-09"] + r[at + 1:] for r in rows[1:]])
    case.expect_refusal(case.run_month(), "CTY_CODE=5880_I_COMMODITY=87", "'time'", "2025-09")


def test_a_future_month(case):
    # Monthly partitions end at the source's last month, so no run can ask for a future month;
    # the reader still refuses an answer for one (a hand-made snapshot or a live answer).
    path = case.write(f"census/imports_hs/2027-01/{Path(JAPAN_AUTOS).name}",
                      case.read(JAPAN_AUTOS))
    with duckdb.connect(str(case.warehouse)) as con:
        with pytest.raises(SourceError) as refused:
            census.load_raw_month(con, "imports_hs", "2027-01", [path], case.root)
    for fragment in ("Census imports/hs", "2027-01", "future month"):
        assert fragment in str(refused.value)
    assert table_checksums(case.warehouse) == case.before


def test_object_instead_of_array_of_arrays(case):
    case.write(JAPAN_AUTOS, json.dumps({"error": "unknown variable"}).encode())
    case.expect_refusal(case.run_month(), "CTY_CODE=5880_I_COMMODITY=87", "'body'")


def test_answer_without_header(case):
    case.write_answer(case.answer()[1:])
    case.expect_refusal(case.run_month(), "CTY_CODE=5880_I_COMMODITY=87", "'header'")


def test_two_header_rows(case):
    rows = case.answer()
    case.write_answer(rows[:3] + [rows[0]] + rows[3:])
    case.expect_refusal(case.run_month(), "CTY_CODE=5880_I_COMMODITY=87", "'header'")


def test_wrong_encoding(case):
    body = case.read(JAPAN_AUTOS).decode("utf-8")
    case.write(JAPAN_AUTOS, body.replace("VEHICLES", "VÉHICULES").encode("utf-16"))
    case.expect_refusal(case.run_month(), "CTY_CODE=5880_I_COMMODITY=87", "'body'")


def test_non_numeric_values_across_the_month(case):
    rows = case.answer()
    at = _column(rows, "CON_VAL_MO")
    case.write_answer([rows[0]] + [r[:at] + ["(D)"] + r[at + 1:] for r in rows[1:]])
    case.expect_refusal(case.run_month(), "CTY_CODE=5880_I_COMMODITY=87", "'CON_VAL_MO'",
                        "not a number", "the contract allows")


def test_negative_values_across_the_month(case):
    rows = case.answer()
    at = _column(rows, "CAL_DUT_MO")
    case.write_answer([rows[0]] + [r[:at] + ["-" + r[at]] + r[at + 1:] for r in rows[1:]
                                   if r[at] != "0"])
    case.expect_refusal(case.run_month(), "CTY_CODE=5880_I_COMMODITY=87", "'CAL_DUT_MO'",
                        "negative")


def test_an_exports_answer_with_non_numeric_values(case):
    rows = case.answer(EXPORTS)
    at = _column(rows, "ALL_VAL_MO")
    case.write_answer([rows[0]] + [r[:at] + ["n/a"] + r[at + 1:] for r in rows[1:]], EXPORTS)
    case.expect_refusal(case.run_month(), "Census exports/hs", "'ALL_VAL_MO'")


def test_dutiable_value_above_customs_value_fails_the_contract(case):
    rows = case.answer()
    con, dut = _column(rows, "CON_VAL_MO"), _column(rows, "DUT_VAL_MO")
    for r in rows[1:]:
        r[dut] = str(int(r[con]) * 2 + 1)
    case.write_answer(rows)
    case.expect_refusal(case.run_month(), "staging.imports_monthly", "blocking data contracts")


def test_lost_rows_fail_the_reconciliation_with_the_chapter_totals(case):
    rows = case.answer()
    case.write_answer(rows[: len(rows) // 2])  # an answer cut short at a row boundary
    case.expect_refusal(case.run_month(), "raw.census_imports",
                        "hs10_rows_add_up_to_chapter_totals", "5880 chapter 87")


# --- Census answers: row-level faults are quarantined, the month proceeds ----------------------

def _quarantined(case, table="quarantine.imports_monthly"):
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        return con.execute(f"SELECT rule, field, value, request FROM {table} "
                           "WHERE period = DATE '2025-10-01' ORDER BY ALL").fetchall()


def _staged(case, hs10):
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        return con.execute("SELECT count(*) FROM staging.imports_monthly WHERE period = "
                           "DATE '2025-10-01' AND cty_code = '5880' AND hs10 = ?",
                           [hs10]).fetchone()[0]


@pytest.mark.parametrize(("change", "rule", "field"), [
    (lambda r, h: r.__setitem__(h.index("CON_VAL_MO"), "12x4"), "not_numeric", "CON_VAL_MO"),
    (lambda r, h: r.__setitem__(h.index("CAL_DUT_MO"), "-15"), "negative", "CAL_DUT_MO"),
    (lambda r, h: r.__setitem__(h.index("CTY_CODE"), "9999"), "country_not_requested",
     "CTY_CODE"),
    (lambda r, h: r.__setitem__(h.index("I_COMMODITY"), "87032301"), "hs10_format",
     "I_COMMODITY"),
])
def test_a_bad_row_is_quarantined(case, change, rule, field):
    rows = case.answer()
    hs10 = rows[1][rows[0].index("I_COMMODITY")]
    change(rows[1], rows[0])
    case.write_answer(rows)
    assert case.run_month().success
    got = _quarantined(case)
    assert [(g[0], g[1]) for g in got] == [(rule, field)]
    assert got[0][3].endswith("CTY_CODE=5880_I_COMMODITY=87.json")
    assert _staged(case, hs10) == sum(1 for r in rows[2:] if r[rows[0].index("I_COMMODITY")]
                                      == hs10)


def test_duplicate_rows_are_quarantined(case):
    rows = case.answer()
    case.write_answer(rows + [rows[1]])
    assert case.run_month().success
    rules = {g[0] for g in _quarantined(case)}
    assert rules == {"duplicate_key"} and len(_quarantined(case)) == 2


def test_an_empty_month_204_changes_nothing(case):
    """Every query of the month answered 204 (no data): the live client saves no file and
    records each 204 in the month's landing.jsonl; the load adds nothing. Only the note of
    the files the month was loaded from changes (so the next run does not load it again)."""
    month = case.root / JAPAN_MONTH_FILES
    for path in month.iterdir():
        path.unlink()
        record_landing(month, {"file": path.name, "status": 204, "rows": 0, "request": "r",
                               "fetched_at": "2026-11-05T10:00:00+00:00"})
    assert case.run_month().success
    after, before = table_checksums(case.warehouse), dict(case.before)
    assert after.pop("meta.loaded_files") != before.pop("meta.loaded_files")
    assert after == before


# --- HTS exports ---------------------------------------------------------------------------------

def test_release_with_a_missing_field(case):
    records = json.loads(case.read(RELEASE))
    for record in records[10:]:
        record.pop("general", None)
    case.write(RELEASE, json.dumps(records).encode())
    case.expect_refusal(case.run_release(), "USITC HTS", "2025HTSRev23.json.gz", "'general'")


def test_truncated_release(case):
    case.write(RELEASE, case.read(RELEASE)[: len(case.read(RELEASE)) // 2])
    case.expect_refusal(case.run_release(), "USITC HTS", "2025HTSRev23.json.gz", "'body'")


def test_release_that_is_not_an_array(case):
    case.write(RELEASE, json.dumps({"htsno": "0101"}).encode())
    case.expect_refusal(case.run_release(), "USITC HTS", "2025HTSRev23.json.gz", "'body'")


def test_one_unknown_rate_text_is_kept_as_other(case):
    records = json.loads(case.read(RELEASE))
    target = next(r for r in records if r["htsno"] == "8703.23.01")
    target["general"] = "2.5% until further notice"
    case.write(RELEASE, json.dumps(records).encode())
    assert case.run_release().success
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        got = con.execute("SELECT DISTINCT rate_kind, general_text FROM staging.hts_lines "
                          "WHERE release = '2025HTSRev23' AND hs8 = '87032301'").fetchall()
    assert got == [("other", "2.5% until further notice")]


def test_many_unknown_rate_texts_fail_the_contract(case):
    records = json.loads(case.read(RELEASE))
    for record in records:
        if record["general"] and not record["htsno"].startswith("99"):
            record["general"] = "see the schedule"
    case.write(RELEASE, json.dumps(records).encode())
    case.expect_refusal(case.run_release(), "staging.hts_lines", "numeric_share_98_percent")


def test_a_chapter99_heading_the_ledger_does_not_know_fails_the_coverage_contract(case):
    """A release adds a heading no entry of chapter99.yaml accounts for, and renumbers one that
    names Japan into a range the ledger lists as not applicable: both contracts warn (the run
    goes on), and the mart lists the new heading."""
    records = json.loads(case.read(RELEASE))
    model = next(r for r in records if r["htsno"] == "9903.02.73")
    records += [dict(model, htsno="9903.99.91", description="Products of Japan, as provided "
                     "for in a new subdivision", general="The duty provided in the applicable "
                     "subheading + 30%"),
                dict(model, htsno="9903.01.60", description="Products of Japan, as provided "
                     "for in subdivision (v) of U.S. note 2")]
    case.write(RELEASE, json.dumps(records).encode())
    assert case.run_release().success
    result = case.run(["marts/unmodelled_provisions"])
    assert result.success, "a warning must not stop the run"
    evaluations = {e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
                   for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}
    for name in ("all_headings_accounted_for", "japan_headings_not_dismissed"):
        assert not evaluations[name].passed, name
        assert evaluations[name].severity.value == "WARN", name
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        listed = con.execute("SELECT release, heading, coverage FROM marts.unmodelled_provisions "
                             "WHERE coverage = 'unaccounted'").fetchall()
    assert listed == [("2025HTSRev23", "9903.99.91", "unaccounted")]


def test_release_list_without_start_dates(case):
    releases = json.loads(case.read("hts/releaseList.json"))
    for release in releases:
        release.pop("releaseStartDate")
    case.write("hts/releaseList.json", json.dumps(releases).encode())
    case.expect_refusal(case.run(["raw/hts_releases"]), "USITC HTS", "releaseList.json",
                        "'releaseStartDate'")


def test_release_list_with_a_bad_date(case):
    releases = json.loads(case.read("hts/releaseList.json"))
    releases[0]["releaseStartDate"] = "2025-09-16"
    case.write("hts/releaseList.json", json.dumps(releases).encode())
    case.expect_refusal(case.run(["raw/hts_releases"]), "USITC HTS", "releaseList.json",
                        "'releaseStartDate'")


# --- the ledger ----------------------------------------------------------------------------------

def test_a_ledger_with_an_overlap(case, monkeypatch):
    import yaml

    from pipelines.lib.paths import LEDGER_DIR

    ledger = case.tmp / "ledger"
    shutil.copytree(LEDGER_DIR, ledger)
    regimes = yaml.safe_load((ledger / "regimes_japan.yaml").read_text())
    regimes["regimes"][8]["from"] = regimes["regimes"][7]["from"]
    (ledger / "regimes_japan.yaml").write_text(yaml.safe_dump(regimes, sort_keys=False))
    monkeypatch.setenv("TARIFF_AUDIT_LEDGER_DIR", str(ledger))
    case.expect_refusal(case.run(MARTS), "regimes_japan.yaml", "overlaps")
