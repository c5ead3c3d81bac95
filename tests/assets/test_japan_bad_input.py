"""Malformed files of Japan's statistics and the exchange rate: each stops the load with a
message naming the file, the line and the field, and leaves every table as it was."""

import csv
import io

from tests.helpers import table_checksums

# one step each: a failing step rolls back its own transaction only
JAPAN = ["raw/japan_trade", "staging/japan_trade_monthly"]
FX = ["raw/fx_daily", "staging/fx_monthly"]

IMPORTS = "japan_customs/2026/imp_2026-09.csv"
EXPORTS = "japan_customs/2026/exp_2026-09.csv"
SHIFT_JIS = "japan_customs/2024/imp_2024_confirmed.csv"


def _rows(case, relative):
    return list(csv.reader(io.StringIO(case.read(relative).decode("utf-8"))))


def _write_rows(case, relative, rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    case.write(relative, buffer.getvalue().encode("utf-8"))


def test_changed_header(case):
    rows = _rows(case, IMPORTS)
    rows[0][3] = "Partner"
    _write_rows(case, IMPORTS, rows)
    case.expect_refusal(case.run(JAPAN), IMPORTS, "line 1", "'Country'", "changed header")


def test_month_column_with_text(case):
    rows = _rows(case, IMPORTS)
    rows[5][rows[0].index("Value-Mar")] = "12,3"
    _write_rows(case, IMPORTS, rows)
    case.expect_refusal(case.run(JAPAN), IMPORTS, "line 6", "'Value-Mar'", "not a whole number")


def test_unknown_country_code(case):
    rows = _rows(case, IMPORTS)
    rows[3][rows[0].index("Country")] = "777"
    _write_rows(case, IMPORTS, rows)
    case.expect_refusal(case.run(JAPAN), IMPORTS, "line 4", "'Country'", "unknown country")


def test_shift_jis_file_read_as_utf8(case):
    broken = case.read(SHIFT_JIS).decode("utf-8", errors="replace").encode("utf-8")
    case.write(SHIFT_JIS, broken)
    case.expect_refusal(case.run(JAPAN), SHIFT_JIS, "line 1", "'encoding'", "U+FFFD")


def test_values_in_yen_against_the_previous_vintage(case):
    assert case.run(JAPAN).success               # the good files first
    case.before = table_checksums(case.warehouse)
    rows = _rows(case, EXPORTS)
    values = [i for i, name in enumerate(rows[0]) if name.startswith("Value-")]
    for row in rows[1:]:
        for i in values:
            row[i] = str(int(row[i]) * 1000)
    _write_rows(case, EXPORTS, rows)
    case.expect_refusal(case.run(JAPAN), EXPORTS, "'Value-", "thousand yen")


def test_fx_month_without_enough_quotes(case):
    lines = case.read("fx/DEXJPUS.csv").decode().splitlines()
    thinned = [line for line in lines if not (line.startswith("2025-03-")
                                              and int(line[8:10]) > 10)]
    case.write("fx/DEXJPUS.csv", ("\n".join(thinned) + "\n").encode())
    case.expect_refusal(case.run(FX), "fx/DEXJPUS.csv", "2025-03 has 6 daily quotes",
                        "not interpolated", "'DEXJPUS'")


def test_malformed_estat_answer(case):
    # an e-Stat getStatsData page saved by the client, one cell withheld ("x")
    from tests.unit.test_estat_reader import TABLE, _answer, _cells, _mutate

    relative = f"japan_customs/estat/{TABLE}/cdTime=2025000303_1.json"
    case.write(relative, _answer(_mutate(_cells(), 2, **{"$": "x"})))
    case.expect_refusal(case.run(JAPAN), relative, "VALUE 3", "'DATA_INF.VALUE.$'", "'x'")
