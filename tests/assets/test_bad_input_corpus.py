"""The malformed-input corpus, second part (issue 9, "refuse, don't guess"): inputs that used to
get through silently or fail with a message nobody could act on. Each case either stops with a
message naming the source, the file and the field, and every table of the warehouse keeps its
checksum (``Case.expect_refusal``), or quarantines the row with its reason while the month
proceeds. The harness (overlay snapshot, warehouse copy) is ``tests/assets/conftest.py``."""

import gzip
import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from pipelines.lib import incremental
from pipelines.lib.paths import LEDGER_DIR
from pipelines.lib.sources.census import reader as census
from pipelines.lib.sources.snapshot import LANDING_RECORD, record_landing
from pipelines.stages import LEDGER
from tests.assets.conftest import JAPAN_AUTOS, JAPAN_MONTH_FILES, MONTH, RELEASE, Case
from tests.helpers import table_checksums

JAPAN_TOTALS = f"{JAPAN_MONTH_FILES}/CTY_CODE=5880_COMM_LVL=HS2.json"
KOREA = f"{JAPAN_MONTH_FILES}/CTY_CODE=5800.json"
KOREA_TOTALS = f"{JAPAN_MONTH_FILES}/CTY_CODE=5800_COMM_LVL=HS2.json"


def _set(rows: list, name: str, value, where=lambda row: True) -> list:
    """Set ``name`` to ``value`` (or ``value(row)``) in every data row matching ``where``."""
    at = rows[0].index(name)
    for row in rows[1:]:
        if where(row):
            row[at] = value(row) if callable(value) else value
    return rows


def _quarantined(case, table="quarantine.imports_monthly"):
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        return con.execute(f"SELECT rule, field, value, reason FROM {table} WHERE period = "
                           f"DATE '{MONTH}-01' ORDER BY ALL").fetchall()


def _checks(result) -> dict:
    evaluations = [e.asset_check_evaluation_data for e in result.all_events
                   if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    return {(e.asset_key.path[-1], e.check_name): e for e in evaluations}


# --- Census answers: damage stops the month, naming the file, the row and the field -----------

def test_a_header_naming_a_variable_twice(case):
    """The dutiable value used to be read from the wrong of two DUT_VAL_MO columns (0)."""
    rows = case.answer()
    at = rows[0].index("DUT_VAL_MO")
    case.write_answer([r[:at] + (["DUT_VAL_MO"] if i == 0 else ["0"]) + r[at:]
                       for i, r in enumerate(rows)])
    case.expect_refusal(case.run_month(), "Census imports/hs", "CTY_CODE=5880_I_COMMODITY=87",
                        "'DUT_VAL_MO'", "twice")


@pytest.mark.parametrize(("field", "value"), [
    ("CON_QY1_MO", "NaN"),
    ("CON_QY1_MO", "Infinity"),
    ("CON_VAL_MO", "inf"),
    ("CAL_DUT_MO", "12345678901234567890"),  # 20 digits: beyond BIGINT
])
def test_non_finite_or_overflowing_numbers(case, field, value):
    """Used to be staged as NaN (the marts then failed on a bare 'Could not cast value nan to
    DECIMAL') or to stop the month with a DuckDB ConversionException naming nothing."""
    rows = case.answer()
    rows[3][rows[0].index(field)] = value
    case.write_answer(rows)
    messages = case.expect_refusal(case.run_month(), "Census imports/hs",
                                   "CTY_CODE=5880_I_COMMODITY=87", f"'{field}'", "row 3",
                                   repr(value))
    assert "ConversionException" not in messages and "Conversion Error" not in messages


def test_a_zero_byte_answer(case):
    """The live client records a 204 in landing.jsonl and writes no file: an empty file is
    damage (it used to load as "no exports")."""
    case.write("census/exports_hs/2025-10/CTY_CODE=5880.json", b"")
    case.expect_refusal(case.run_month(), "Census exports/hs", "CTY_CODE=5880.json",
                        "zero-byte", "'body'")


def test_an_empty_json_array(case):
    """The API never answers []; empty answers for a chapter used to make it vanish."""
    case.write(JAPAN_AUTOS, b"[]")
    case.expect_refusal(case.run_month(), "Census imports/hs", "CTY_CODE=5880_I_COMMODITY=87",
                        "empty JSON array", "'body'")


def test_a_month_of_compressed_answers_is_read(case, sample_snapshot, base, tmp_path):
    """A landing may compress its answers: a month holding only .json.gz files loads the same
    staging rows as the plain files (it used to say "0 answers, 0 raw rows" and keep the
    previous data)."""
    month = case.root / JAPAN_MONTH_FILES
    for path in sorted(month.glob("*.json")):
        body = path.read_bytes()
        path.unlink()
        (month / (path.name + ".gz")).write_bytes(gzip.compress(body))
    assert case.run_month().success
    (tmp_path / "plain").mkdir()
    plain = Case(sample_snapshot, base[0], base[1], tmp_path / "plain")
    assert plain.run_month().success

    def staged(warehouse):
        with duckdb.connect(str(warehouse), read_only=True) as con:
            return con.execute("SELECT count(*), sum(hash(s)) FROM staging.imports_monthly s "
                               f"WHERE period = DATE '{MONTH}-01'").fetchone()
    assert staged(case.warehouse) == staged(plain.warehouse)
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        requests = con.execute("SELECT DISTINCT request FROM raw.census_imports WHERE period = "
                               f"DATE '{MONTH}-01'").fetchall()
    assert requests and all(r.endswith(".json.gz") for (r,) in requests)


def test_an_answer_both_plain_and_compressed(case):
    case.write(JAPAN_AUTOS + ".gz", case.read(JAPAN_AUTOS))
    case.expect_refusal(case.run_month(), "Census imports/hs", "CTY_CODE=5880_I_COMMODITY=87",
                        "the same answer twice")


@pytest.mark.parametrize("leftover", [None, "CTY_CODE=5880_I_COMMODITY=87.json.bz2"])
def test_a_month_directory_without_a_readable_answer(case, leftover):
    month = case.root / JAPAN_MONTH_FILES
    for path in month.iterdir():
        path.unlink()
    if leftover:
        (month / leftover).write_bytes(b"BZh91AY&SY")
    messages = case.expect_refusal(case.run_month(), "Census imports/hs",
                                   f"imports_hs/{MONTH}", "no readable answer", LANDING_RECORD)
    if leftover:
        assert leftover in messages


def test_null_duty_in_every_japanese_chapter_87_row(case):
    """Used to be accepted (Japan's rate fell from 12.7 % to 7.5 %), then the summary crashed."""
    case.write_answer(_set(case.answer(), "CAL_DUT_MO", None))
    case.expect_refusal(case.run_month(), "Census imports/hs", "CTY_CODE=5880_I_COMMODITY=87",
                        "'CAL_DUT_MO'", "no value (null)", "the contract allows")


def test_one_null_customs_value_is_quarantined_with_its_reason(case):
    """Used to fail as 'customs_value_is_integer: 0 unexpected (e.g. ['int64'])'."""
    rows = case.answer()
    rows[2][rows[0].index("CON_VAL_MO")] = None
    case.write_answer(rows)
    assert case.run_month().success
    (rule, field, value, reason), = _quarantined(case)
    assert (rule, field, value) == ("missing_value", "CON_VAL_MO", None)
    assert "no value (null)" in reason


# --- completeness against history -------------------------------------------------------------

def _drop_chapter(case, answer: str, totals: str, chapter: str, total_value=None):
    """Remove ``chapter`` from an answer's rows (header kept) and from the chapter totals,
    or set its total to ``total_value``."""
    rows = case.answer(answer)
    at = rows[0].index("I_COMMODITY")
    case.write_answer([rows[0]] + [r for r in rows[1:] if not r[at].startswith(chapter)],
                      answer)
    sums = case.answer(totals)
    code = sums[0].index("I_COMMODITY")
    if total_value is None:
        sums = [sums[0]] + [r for r in sums[1:] if r[code] != chapter]
    else:
        for name in ("GEN_VAL_MO", "CON_VAL_MO", "DUT_VAL_MO", "CAL_DUT_MO"):
            _set(sums, name, total_value, lambda r: r[code] == chapter)
    case.write_answer(sums, totals)


def test_japan_chapter_gone_from_rows_and_totals_is_an_error(case):
    """Japan's chapter 87 vanished from every mart (23,385 -> 23,353 audit rows)."""
    _drop_chapter(case, JAPAN_AUTOS, JAPAN_TOTALS, "87")
    case.expect_refusal(case.run_month(), "raw.census_imports", "japan_chapters_not_vanished",
                        "5880 chapter 87", "the previous month")


def test_a_chapter_the_source_totals_at_zero_may_vanish(case):
    """Unless the source's own total says the chapter is empty."""
    _drop_chapter(case, JAPAN_AUTOS, JAPAN_TOTALS, "87", total_value="0")
    assert case.run_month().success


def test_another_partner_losing_a_chapter_is_a_warning(case):
    _drop_chapter(case, KOREA, KOREA_TOTALS, "87")
    result = case.run_month()
    assert result.success, "a warning must not stop the run"
    check = _checks(result)[("census_imports", "partner_chapters_not_vanished")]
    assert not check.passed and check.severity.value == "WARN"
    assert "5800 chapter 87" in json.dumps(check.metadata["sample"].value)


# --- plausibility --------------------------------------------------------------------------------

def test_one_line_worth_ten_to_the_fifteen_is_quarantined(case):
    """Used to be accepted: Japan's "all" rate became 0.0002 %."""
    rows = case.answer()
    hs10 = rows[1][rows[0].index("I_COMMODITY")]
    at = rows[0].index("CON_VAL_MO")
    added = 10 ** 15 - int(rows[1][at])
    rows[1][at] = str(10 ** 15)
    case.write_answer(rows)
    # the chapter total agrees (else the reconciliation with the totals refuses the month)
    totals = case.answer(JAPAN_TOTALS)
    at_total, code = totals[0].index("CON_VAL_MO"), totals[0].index("I_COMMODITY")
    case.write_answer(_set(totals, "CON_VAL_MO", lambda r: str(int(r[at_total]) + added),
                           lambda r: r[code] == "87"), JAPAN_TOTALS)
    assert case.run_month().success
    got = _quarantined(case)
    assert [(r[0], r[1], r[2]) for r in got] == [("implausible_value", "CON_VAL_MO",
                                                  str(10 ** 15))]
    assert "the contract allows" in got[0][3]
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        top = con.execute("SELECT max(con_val) FROM staging.imports_monthly WHERE period = "
                          f"DATE '{MONTH}-01' AND hs10 = ?", [hs10]).fetchone()[0]
    assert top < 10 ** 12


def test_a_line_far_outside_its_history_is_quarantined(case):
    """A duty of 5e11 on one line: far above the line's largest month and ten times Japan's
    whole duty of the previous month (the 1e15 duty used to reach japan_line_audit)."""
    rows = case.answer()
    rows[1][rows[0].index("CAL_DUT_MO")] = str(5 * 10 ** 11)
    case.write_answer(rows)
    assert case.run_month().success
    (rule, field, value, reason), = _quarantined(case)
    assert (rule, field) == ("outside_history", "CAL_DUT_MO")
    assert "largest other month" in reason or "without value" in reason
    assert "previous month" in reason and "the contract allows 100x and 10x" in reason


def test_a_partner_total_moving_tenfold_stops_the_month(case):
    """Every Japanese value in thousands of dollars too many: each line stays under the
    per-line yardsticks, Japan's total jumps 1000x, the month stops."""
    for path in sorted((case.root / JAPAN_MONTH_FILES).glob("CTY_CODE=5880_I_*.json")):
        relative = str(path.relative_to(case.root))
        rows = case.answer(relative)
        for name in ("GEN_VAL_MO", "CON_VAL_MO", "DUT_VAL_MO", "CAL_DUT_MO"):
            at = rows[0].index(name)
            for row in rows[1:]:
                row[at] = str(int(row[at]) * 1000)
        case.write_answer(rows, relative)
    case.expect_refusal(case.run_month(), "Census imports/hs", "5880", "total",
                        "rows of 2025-10 fail row-level checks")


# --- vintages by the source's own date -------------------------------------------------------

def test_a_revision_with_an_older_file_time_wins(case):
    """A snapshot file with new values but an older mtime used to be ignored (the vintage was
    the file time): LAST_UPDATE orders vintages, and the incremental run sees it too."""
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        assert MONTH not in incremental.months_to_load(con, case.root, "imports_hs")
    rows = case.answer()
    at = rows[0].index("CON_VAL_MO")
    revised = int(rows[1][at]) + 1000
    rows[1][at] = str(revised)
    _set(rows, "LAST_UPDATE", "2026-08-06")
    path = case.write_answer(rows)
    old = datetime(2020, 1, 1).timestamp()
    os.utime(path, (old, old))
    assert census.month_vintage(sorted(path.parent.glob("*.json"))) == datetime(2026, 8, 6)
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        assert MONTH in incremental.months_to_load(con, case.root, "imports_hs")
    assert case.run_month().success
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        staged = con.execute("SELECT max(vintage), sum(con_val) FILTER (WHERE hs10 = ? AND "
                             "rate_provision = ?) FROM staging.imports_monthly WHERE period = "
                             f"DATE '{MONTH}-01' AND cty_code = '5880'",
                             [rows[1][rows[0].index("I_COMMODITY")],
                              rows[1][rows[0].index("RP")]]).fetchone()
    assert staged == (datetime(2026, 8, 6), revised)


def test_answers_without_last_update_are_dated_by_the_landing_record(tmp_path):
    """Exports carry no LAST_UPDATE: the fetch time the live client recorded orders them, not
    the file's mtime."""
    month = tmp_path / "census" / "exports_hs" / "2025-10"
    month.mkdir(parents=True)
    path = month / "CTY_CODE=5880.json"
    path.write_text(json.dumps([["E_COMMODITY", "CTY_CODE", "ALL_VAL_MO", "time"],
                                ["1006300000", "5880", "10", "2025-10"]]))
    os.utime(path, (0, 0))
    record_landing(month, {"file": path.name, "status": 200, "rows": 1, "request": "r",
                           "fetched_at": "2026-12-01T08:30:00+00:00"})
    assert census.month_vintage([path]) == datetime(2026, 12, 1, 8, 30)


# --- HTS releases ------------------------------------------------------------------------------

def test_a_release_listing_a_heading_twice_with_another_rate(case):
    """8409.21.40.00 used to become 0.1 % instead of 2.5 % (one of the two kept silently)."""
    records = json.loads(case.read(RELEASE))
    first = next(r for r in records if r["htsno"] == "8409.21.40.00")
    records.insert(records.index(first) + 1, dict(first, general="0.1%"))
    case.write(RELEASE, json.dumps(records).encode())
    case.expect_refusal(case.run_release(), "USITC HTS", "2025HTSRev23.json.gz",
                        "8409.21.40.00", "'general'", "0.1% vs 2.5%")


def test_a_record_repeated_identically_is_kept_once_and_said(case):
    records = json.loads(case.read(RELEASE))
    first = next(r for r in records if r["htsno"] == "8409.21.40.00")
    records.insert(records.index(first) + 1, dict(first))
    case.write(RELEASE, json.dumps(records).encode())
    result = case.run_release()
    assert result.success
    logged = " ".join(r.user_message for r in case.instance.all_logs(result.run_id))
    assert "repeated identically" in logged and "8409.21.40.00" in logged
    with duckdb.connect(str(case.warehouse), read_only=True) as con:
        kept = con.execute("SELECT count(*) FROM raw.hts_records WHERE release = "
                           "'2025HTSRev23' AND htsno = '8409.21.40.00'").fetchone()[0]
    assert kept == 1


def test_an_empty_release_list(case):
    """raw.hts_releases used to go from 5 rows to 0 (every month then audited with the 2025
    basic release)."""
    case.write("hts/releaseList.json", b"[]")
    case.expect_refusal(case.run(["raw/hts_releases"]), "USITC HTS", "releaseList.json",
                        "empty", "'body'")


def test_a_listed_release_without_its_export(case):
    """Used to be a log warning while its months were audited with the previous release."""
    (case.root / RELEASE).unlink()
    case.expect_refusal(case.run(["raw/hts_releases"]), "USITC HTS", "releaseList.json",
                        "2025HTSRev23", "no export", "'name'")


# --- the ledger --------------------------------------------------------------------------------

def _ledger_with(case, monkeypatch, edit) -> Path:
    ledger = case.tmp / "ledger"
    shutil.copytree(LEDGER_DIR, ledger)
    path = ledger / "regimes_japan.yaml"
    path.write_text(edit(path.read_text()))
    monkeypatch.setenv("TARIFF_AUDIT_LEDGER_DIR", str(ledger))
    return path


def test_a_rule_written_in_percent(case, monkeypatch):
    """Ledger rates are decimals (m + 0.10): 'm + 2.5' used to be read as 250 %."""
    _ledger_with(case, monkeypatch, lambda text: text.replace(
        "{rule: m + 0.10, heading: 9903.01.25", "{rule: m + 2.5, heading: 9903.01.25", 1))
    case.expect_refusal(case.run(LEDGER), "regimes_japan.yaml", "law-2025-reciprocal-10",
                        "rules.general.rule", "'m + 2.5'", "0.025")


def test_a_date_that_does_not_exist(case, monkeypatch):
    """Used to fail as a bare 'ValueError: day is out of range for month'."""
    path = _ledger_with(case, monkeypatch, lambda text: text)
    regimes = yaml.safe_load(path.read_text())
    entry = regimes["regimes"][3]
    text = path.read_text().replace(f"from: {entry['from'].isoformat()}", "from: 2025-02-30", 1)
    path.write_text(text)
    case.expect_refusal(case.run(LEDGER), "regimes_japan.yaml", f"'{entry['id']}'",
                        "regimes.3.from", "'2025-02-30'")


def test_every_case_leaves_the_warehouse_as_it_was(case):
    """The checksum helper itself sees a one-row change (so the comparisons above can fail)."""
    with duckdb.connect(str(case.warehouse)) as con:
        con.execute("UPDATE staging.imports_monthly SET con_val = con_val + 1 WHERE rowid = "
                    "(SELECT min(rowid) FROM staging.imports_monthly)")
    after = table_checksums(case.warehouse)
    assert after != case.before
    assert [t for t in after if after[t] != case.before[t]] == ["staging.imports_monthly"]

