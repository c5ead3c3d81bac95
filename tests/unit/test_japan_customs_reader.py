"""Japan's trade statistics CSV: both header variants, both encodings, releases, and every
malformed file stopping with a message naming file, line and field."""

from pathlib import Path

import duckdb
import pytest

from pipelines.lib.errors import SourceError
from pipelines.lib.sources.japan_customs.reader import (
    HEADER,
    HEADER_CUSTOM,
    load_files,
    parse_file,
    release_of,
)
from pipelines.lib.warehouse.execute import run

COUNTRIES = {"105", "108", "304"}


def _row(direction="2", year="2025", hs="280530000", country="105", months=(10, 20, 30),
         custom=None):
    values = list(months) + [0] * (12 - len(months))
    cells = []
    for v in values:
        cells += ["0", str(v * 2), str(v)]
    head = [direction, year] + ([custom] if custom is not None else []) + [hs, country, "",
                                                                            "KG"]
    return head + ["0", str(sum(values) * 2), str(sum(values))] + cells


def _write(tmp_path, name, rows, header=HEADER, preamble=None, encoding="utf-8", year="2025"):
    path = tmp_path / "japan_customs" / year / name
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ([preamble] if preamble else []) + [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_release_names():
    assert release_of(Path("x/2026/exp_2026-08.csv")).confirmed_through == 7
    annual = release_of(Path("x/2025/imp_2025_confirmed_part2.csv"))
    assert (annual.published_through, annual.confirmed_through, annual.name) == (
        12, 12, "imp_2025_confirmed")
    with pytest.raises(SourceError, match="file name"):
        release_of(Path("x/2025/imports.csv"))
    with pytest.raises(SourceError, match="directory"):
        release_of(Path("x/2024/imp_2025-03.csv"))


def test_both_header_variants_and_quoted_codes(tmp_path):
    plain = parse_file(_write(tmp_path, "imp_2025-03.csv", [_row(hs="'280530000'")]),
                       COUNTRIES)
    custom = parse_file(_write(tmp_path, "imp_2025-03_b.csv",
                               [_row(custom="100"), _row(custom="200")], HEADER_CUSTOM),
                        COUNTRIES)
    assert not plain.custom and custom.custom
    assert plain.rows["line"].to_list() == [2]
    assert custom.rows["custom"].to_list() == ["100", "200"]


def test_shift_jis_with_a_unit_line_is_detected(tmp_path):
    path = _write(tmp_path, "imp_2025-03.csv", [_row()], preamble="（単位：千円）",
                  encoding="shift_jis")
    parsed = parse_file(path, COUNTRIES)
    assert (parsed.encoding, parsed.unit) == ("shift_jis", "thousand_yen")
    utf8 = parse_file(_write(tmp_path, "imp_2025-04.csv", [_row()], preamble="（単位：千円）"),
                      COUNTRIES)
    assert (utf8.encoding, utf8.unit) == ("utf-8", "thousand_yen")


def _refused(path, line, field, fragment=""):
    with pytest.raises(SourceError) as info:
        parse_file(path, COUNTRIES)
    message = str(info.value)
    assert str(path) in message and f"line {line}" in message, message
    assert info.value.field == field, message
    assert fragment in message
    return message


def test_changed_header(tmp_path):
    header = list(HEADER)
    header[11] = "Value-January"
    _refused(_write(tmp_path, "imp_2025-03.csv", [_row()], header), 1, "Value-Jan",
             "changed header")


def test_month_column_with_text(tmp_path):
    row = _row()
    row[14] = "n/a"   # Value-Feb
    _refused(_write(tmp_path, "imp_2025-03.csv", [_row(), row]), 3, "Value-Feb",
             "not a whole number")


def test_unknown_country_code(tmp_path):
    _refused(_write(tmp_path, "imp_2025-03.csv", [_row(), _row(country="999")]), 3,
             "Country", "unknown country code")


def test_values_in_yen_by_the_unit_line(tmp_path):
    _refused(_write(tmp_path, "imp_2025-03.csv", [_row()], preamble="（単位：円）"), 1,
             "unit", "yen")


def test_shift_jis_read_as_utf8_and_saved_again(tmp_path):
    mojibake = "（単位：千円）".encode("shift_jis").decode("utf-8", errors="replace")
    _refused(_write(tmp_path, "imp_2025-03.csv", [_row()], preamble=mojibake), 1, "encoding",
             "Shift_JIS file was decoded as UTF-8")


def test_other_encodings_are_refused(tmp_path):
    _refused(_write(tmp_path, "imp_2025-03.csv", [_row()], encoding="utf-16"), 1, "encoding",
             "UTF-16")
    path = tmp_path / "japan_customs" / "2025" / "imp_2025-04.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\r\n\x81\x20\xff\r\n")
    _refused(path, 2, "encoding", "neither UTF-8 nor Shift_JIS")


def test_a_month_the_release_does_not_publish(tmp_path):
    _refused(_write(tmp_path, "imp_2025-02.csv", [_row(months=(1, 2, 3))]), 2, "Quantity2-Mar",
             "does not publish")


def test_direction_year_and_ragged_rows(tmp_path):
    _refused(_write(tmp_path, "exp_2025-03.csv", [_row()]), 2, "Exp or Imp")
    _refused(_write(tmp_path, "imp_2025-03.csv", [_row(year="2024")]), 2, "Year")
    _refused(_write(tmp_path, "imp_2025-03.csv", [_row()[:-1]]), 2, "row", "fields")


def _warehouse_with(tmp_path, files):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    load_files(con, files, COUNTRIES, tmp_path)
    return con


def test_provisional_then_confirmed_both_kept(tmp_path):
    first = _write(tmp_path, "imp_2025-02.csv", [_row(months=(10, 20))])
    second = _write(tmp_path, "imp_2025-03.csv", [_row(months=(10, 21, 30))])
    con = _warehouse_with(tmp_path, [first, second])
    staged = run(con, "SELECT period, value_jpy_thousand, status, release FROM "
                      "staging.japan_trade_monthly ORDER BY period")
    assert [(str(p), v, s) for p, v, s, _ in staged] == [
        ("2025-01-01", 10, "confirmed"), ("2025-02-01", 21, "confirmed"),
        ("2025-03-01", 30, "provisional")]
    # both releases stay in raw: February's provisional 20 and its confirmed 21
    assert run(con, "SELECT count(DISTINCT release) FROM raw.japan_trade")[0][0] == 2
    # loading the same files again changes nothing
    before = run(con, "SELECT count(*) FROM raw.japan_trade")[0][0]
    load_files(con, [first, second], COUNTRIES, tmp_path)
    assert run(con, "SELECT count(*) FROM raw.japan_trade")[0][0] == before


def test_custom_offices_are_summed(tmp_path):
    path = _write(tmp_path, "imp_2025-01.csv",
                  [_row(custom="100", months=(5,)), _row(custom="300", months=(7,))],
                  HEADER_CUSTOM)
    con = _warehouse_with(tmp_path, [path])
    assert run(con, "SELECT value_jpy_thousand FROM staging.japan_trade_monthly") == [(12,)]


def test_yen_instead_of_thousand_yen_by_magnitude(tmp_path):
    first = _write(tmp_path, "imp_2025-02.csv", [_row(months=(1000, 2000))])
    con = _warehouse_with(tmp_path, [first])
    later = _write(tmp_path, "imp_2025-03.csv", [_row(months=(1000000, 2000000, 3000000))])
    with pytest.raises(SourceError) as info:
        load_files(con, [later], COUNTRIES, tmp_path)
    assert "line 2" in str(info.value) and info.value.field.startswith("Value-")
    assert "imp_2025-03.csv" in str(info.value) and "1,000 times" in str(info.value)


def test_euc_jp_and_iso_2022_jp_are_refused_not_read_as_shift_jis(tmp_path):
    """Issue 20: an EUC-JP file was accepted as Shift_JIS (its bytes decode as cp932 too),
    its unit line turned to mojibake and lost; ISO-2022-JP passed as ASCII the same way."""
    euc = _write(tmp_path, "imp_2025-03.csv", [_row()], preamble="（単位：千円）",
                 encoding="euc_jp")
    message = _refused(euc, 1, "encoding", "EUC-JP")
    assert "（単位：千円）" in message and "only UTF-8 and Shift_JIS" in message
    jis = _write(tmp_path, "imp_2025-04.csv", [_row()], preamble="（単位：千円）",
                 encoding="iso2022_jp")
    _refused(jis, 1, "encoding", "ISO-2022-JP")
    # real Shift_JIS, with the same line and half-width katakana, is still read
    sjis = parse_file(_write(tmp_path, "imp_2025-05.csv", [_row()],
                             preamble="（単位：千円）ｺｰﾄﾞ", encoding="shift_jis"), COUNTRIES)
    assert (sjis.encoding, sjis.unit) == ("shift_jis", "thousand_yen")
