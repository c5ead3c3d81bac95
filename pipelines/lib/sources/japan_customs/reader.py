"""Read Japan's trade statistics (MOF / Japan Customs CSV by HS9 x country) into the warehouse.

**Format** (one file per release, any split): optional preamble lines (a title, a unit line
such as ``（単位：千円）`` or ``(a thousand yen)``), then the header

    Exp or Imp,Year,HS,Country,Unit1,Unit2,Quantity1-Year,Quantity2-Year,Value-Year,
    Quantity1-Jan,Quantity2-Jan,Value-Jan,...,Quantity1-Dec,Quantity2-Dec,Value-Dec

or the same with ``Custom`` (the customs office) after ``Year``. ``Exp or Imp`` is 1 (exports,
valued FOB, country = final destination) or 2 (imports, valued CIF, country = origin); values
are in thousand yen; ``HS`` is the 9-digit statistical code (e-Stat writes it ``'010121000'``);
months not yet published are 0.

**Encoding**: UTF-8 (with or without BOM) and Shift_JIS (Windows code page 932) both occur and
are detected; anything else is refused: UTF-16, bytes valid in neither, EUC-JP (whose bytes
mostly decode as Shift_JIS too, into other characters: a file that is valid EUC-JP throughout
is taken for EUC-JP), ISO-2022-JP (escape sequences in ASCII), and UTF-8 text carrying U+FFFD
replacement characters (a Shift_JIS file once decoded as UTF-8 and re-saved).

**Releases** are named by the file: ``<YYYY>/<exp|imp>_<YYYY-MM>[_<part>].csv`` is the release
of month MM (months before MM confirmed, MM provisional, later months unpublished);
``<YYYY>/<exp|imp>_<YYYY>_confirmed[_<part>].csv`` the year's confirmed figures. Every file is
kept in ``raw.japan_trade`` as a vintage; staging takes, for each month, the confirmed figures
when a release has them, else the provisional ones, from the latest release.

Every problem stops the file with a ``SourceError`` naming the file, the line and the field;
the caller's transaction then rolls back, so the warehouse changes not at all.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from pipelines.lib.errors import SourceError
from pipelines.lib.sources.japan_customs import estat
from pipelines.lib.warehouse.execute import run
from pipelines.lib.warehouse.partitions import rebuild_table
from pipelines.lib.warehouse.tables import ensure_table

SOURCE = "Japan Customs trade statistics"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_GROUPS = ("Year", *MONTHS)
MEASURES = tuple(f"{kind}-{g}" for g in _GROUPS for kind in ("Quantity1", "Quantity2", "Value"))
HEADER = ("Exp or Imp", "Year", "HS", "Country", "Unit1", "Unit2", *MEASURES)
HEADER_CUSTOM = ("Exp or Imp", "Year", "Custom", "HS", "Country", "Unit1", "Unit2", *MEASURES)
# raw.japan_trade column of each header field
COLUMNS = {name: name.lower().replace(" ", "_").replace("-", "_") for name in HEADER_CUSTOM}
DIRECTIONS = {"exp": "1", "imp": "2"}
_NAME = re.compile(r"^(?P<dir>exp|imp)_(?:(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])|"
                   r"(?P<annual>\d{4})_confirmed)(?:_(?P<part>[A-Za-z0-9-]+))?\.csv$")
_DIGITS = re.compile(r"^\d+$")
# a 1000x jump against the previous vintage means yen were written where thousand yen belong
YEN_RATIO = 300.0


@dataclass(frozen=True)
class Release:
    """What a file name says: direction, year, the months published and confirmed."""

    direction: str            # exp | imp
    year: int
    published_through: int    # last month with figures
    confirmed_through: int    # last confirmed month (0: none)
    name: str                 # the release: the file name without its part and suffix


def release_of(path: Path) -> Release:
    match = _NAME.match(path.name)
    if not match:
        raise SourceError(SOURCE, str(path), "file name is neither <exp|imp>_<YYYY-MM>[_part]"
                          ".csv nor <exp|imp>_<YYYY>_confirmed[_part].csv, so its release "
                          "(months published, months confirmed) is unknown", field="file name")
    if match["annual"]:
        year, published, confirmed = int(match["annual"]), 12, 12
        name = f"{match['dir']}_{year}_confirmed"
    else:
        year, published = int(match["year"]), int(match["month"])
        confirmed, name = published - 1, f"{match['dir']}_{year}-{published:02d}"
    if path.parent.name != str(year):
        raise SourceError(SOURCE, str(path), f"file of {year} in directory "
                          f"{path.parent.name!r} (expected japan_customs/{year}/)",
                          field="file name")
    return Release(match["dir"], year, published, confirmed, name)


def decode(body: bytes, where: str) -> tuple[str, str]:
    """``(text, encoding)``: UTF-8 or Shift_JIS (cp932); anything else raises."""
    if body.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in body[:4096]:
        raise SourceError(SOURCE, where, "line 1: UTF-16/32 text (NUL bytes); only UTF-8 and "
                          "Shift_JIS are accepted", field="encoding")
    if b"\x1b$" in body or b"\x1b(" in body:
        number = body[: body.index(b"\x1b")].count(b"\n") + 1
        raise SourceError(SOURCE, where, f"line {number}: ISO-2022-JP (JIS) escape sequences; "
                          "only UTF-8 and Shift_JIS are accepted (iconv -f ISO-2022-JP -t UTF-8 "
                          "converts it)", field="encoding")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if "\ufffd" in text:
            number = text[: text.index("\ufffd")].count("\n") + 1
            raise SourceError(SOURCE, where, f"line {number}: U+FFFD replacement characters: "
                              "a Shift_JIS file was decoded as UTF-8 and saved again (its "
                              "original bytes are lost); fetch the file again",
                              field="encoding")
        return text, "utf-8"
    euc = _as_euc_jp(body)
    if euc is not None:
        number, line = euc
        raise SourceError(SOURCE, where, f"line {number}: EUC-JP text ({line.strip()!r} read "
                          "as EUC-JP; as Shift_JIS the same bytes are other characters, and a "
                          "unit line among them would be lost); only UTF-8 and Shift_JIS are "
                          "accepted (iconv -f EUC-JP -t UTF-8 converts it)", field="encoding")
    try:
        return body.decode("cp932"), "shift_jis"
    except UnicodeDecodeError as exc:
        number = body[: exc.start].count(b"\n") + 1
        raise SourceError(SOURCE, where, f"line {number}: byte {body[exc.start]:#04x} at "
                          f"offset {exc.start} is valid in neither UTF-8 nor Shift_JIS; only "
                          "those two encodings are accepted", field="encoding") from None


def _as_euc_jp(body: bytes) -> tuple[int, str] | None:
    """(line number, line) of the first non-ASCII line when the whole of ``body`` is EUC-JP
    text, else None. Most EUC-JP bytes decode as Shift_JIS too (into other characters), so
    decoding cannot tell them apart; but Shift_JIS text is almost never valid EUC-JP: its
    full-width punctuation, kana and most kanji start with bytes 0x81-0x9F, which EUC-JP does
    not use."""
    if body.isascii():
        return None
    try:
        text = body.decode("euc_jp")
    except UnicodeDecodeError:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.isascii():
            return number, line
    return None


def _clean(value: str) -> str:
    return value.strip().strip("'\"").strip()


def _unit_in(preamble: list[str]) -> str | None:
    """``thousand_yen``, ``yen`` or None from the lines before the header."""
    for line in preamble:
        lowered = line.lower()
        if "千円" in line or "thousand yen" in lowered or "1000 yen" in lowered:
            return "thousand_yen"
        if "円" in line or re.search(r"\byen\b", lowered):
            return "yen"
    return None


@dataclass
class ParsedFile:
    path: Path
    release: Release
    encoding: str
    unit: str | None          # from the unit line, None when the file has none
    custom: bool              # the header variant with Custom
    rows: pl.DataFrame        # raw.japan_trade columns as strings, plus line


def parse_file(path: Path, countries: set[str]) -> ParsedFile:
    """Read and check one CSV; raises ``SourceError`` naming the file, line and field."""
    where = str(path)
    release = release_of(path)
    text, encoding = decode(path.read_bytes(), where)
    reader = csv.reader(io.StringIO(text, newline=""))
    preamble: list[str] = []
    header: list[str] | None = None
    header_line = 0
    for number, fields in enumerate(reader, start=1):
        if fields and _clean(fields[0]) == "Exp or Imp":
            header, header_line = [f.strip() for f in fields], number
            break
        preamble.append(",".join(fields))
        if number >= 10:
            break
    if header is None:
        raise SourceError(SOURCE, where, "line 1: no header line starting 'Exp or Imp' in the "
                          "first 10 lines", field="header")
    expected = HEADER_CUSTOM if len(header) > 2 and header[2] == "Custom" else HEADER
    for i, name in enumerate(expected):
        found = header[i] if i < len(header) else None
        if found != name:
            raise SourceError(SOURCE, where, f"line {header_line}: header column {i + 1} is "
                              f"{found!r}, expected {name!r} (changed header)", field=name)
    if len(header) > len(expected):
        raise SourceError(SOURCE, where, f"line {header_line}: unexpected header column "
                          f"{len(expected) + 1} {header[len(expected)]!r} (changed header)",
                          field=header[len(expected)])
    unit = _unit_in(preamble)
    if unit == "yen":
        raise SourceError(SOURCE, where, f"line {len(preamble)}: the unit line says yen; values "
                          "must be in thousand yen", field="unit")
    width = len(expected)
    lines, records = [], []
    for number, fields in enumerate(reader, start=header_line + 1):
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != width:
            raise SourceError(SOURCE, where, f"line {number}: {len(fields)} fields, the header "
                              f"has {width} (truncated or ragged row)", field="row")
        lines.append(number)
        records.append(fields)
    if not records:
        raise SourceError(SOURCE, where, f"no data line after the header (line {header_line})",
                          field="row")
    columns = list(zip(*records, strict=True))
    frame = pl.DataFrame({COLUMNS[name]: list(col) for name, col in zip(expected, columns,
                                                                          strict=True)})
    frame = frame.with_columns(pl.Series("line", lines, dtype=pl.Int64))
    _check(frame, expected, release, countries, where)
    if "custom" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Utf8).alias("custom"))
    return ParsedFile(path, release, encoding, unit, expected is HEADER_CUSTOM, frame)


def _first_bad(frame: pl.DataFrame, bad: pl.Expr, column: str):
    hit = frame.filter(bad).select("line", column).head(1)
    return None if hit.height == 0 else hit.row(0)


def _check(frame: pl.DataFrame, header: tuple[str, ...], release: Release,
           countries: set[str], where: str) -> None:
    def clean(column: str) -> pl.Expr:
        return pl.col(column).str.strip_chars().str.strip_chars("'\"").str.strip_chars()

    def stop(hit, field: str, problem: str) -> None:
        if hit is not None:
            raise SourceError(SOURCE, where, f"line {hit[0]}: {field} is {hit[1]!r}: {problem}",
                              field=field)

    direction = DIRECTIONS[release.direction]
    stop(_first_bad(frame, clean("exp_or_imp") != direction, "exp_or_imp"), "Exp or Imp",
         f"the file {release.name} holds {release.direction}orts (code {direction})")
    stop(_first_bad(frame, clean("year") != str(release.year), "year"), "Year",
         f"the file is of {release.year}")
    stop(_first_bad(frame, ~clean("hs").str.contains(r"^\d{9}$"), "hs"), "HS",
         "not a 9-digit statistical code")
    stop(_first_bad(frame, ~clean("country").str.contains(r"^\d{3}$"), "country"), "Country",
         "not a 3-digit country code")
    stop(_first_bad(frame, ~clean("country").is_in(sorted(countries)), "country"), "Country",
         "unknown country code (not in pipelines/ledger/mirror.yaml; check Japan Customs' "
         "code list and add it there)")
    if "custom" in frame.columns:
        stop(_first_bad(frame, ~clean("custom").str.contains(r"^\d+$"), "custom"), "Custom",
             "not a customs office code")
    for name in MEASURES:
        column = COLUMNS[name]
        stop(_first_bad(frame, ~clean(column).str.contains(r"^\d*$"), column), name,
             "not a whole number (a month column with text?)")
    for index, month in enumerate(MONTHS, start=1):
        if index <= release.published_through:
            continue
        for kind in ("Quantity1", "Quantity2", "Value"):
            column = COLUMNS[f"{kind}-{month}"]
            value = clean(column)
            stop(_first_bad(frame, (value != "") & (value.cast(pl.Int64, strict=False) != 0),
                            column), f"{kind}-{month}",
                 f"a figure for a month the release {release.name} does not publish yet")


def _vintage(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def load_files(con: duckdb.DuckDBPyConnection, files: list[Path], countries: set[str],
               root: Path | None = None) -> dict:
    """Add every file to ``raw.japan_trade`` as a vintage (reloading a file with the same
    modification time replaces it) and rebuild ``staging.japan_trade_monthly``. ``.csv`` files
    are MOF/Customs CSVs; ``.json`` files are pages of e-Stat answers saved by the client,
    read by ``estat.read_answer`` into the same columns.

    Runs in the caller's transaction: the first bad file raises and nothing changes. Returns
    counts for the asset's metadata.
    """
    ensure_table(con, "raw/japan_trade")
    ensure_table(con, "staging/japan_trade_monthly")
    base = root or Path("/")
    loaded, rows, encodings = 0, 0, {}
    for path in (p for p in files if p.suffix != ".json"):
        parsed = parse_file(path, countries)
        where, vintage = _relative(path, base), _vintage(path)
        _stage_rows(con, parsed.rows)
        if parsed.unit is None:
            _check_magnitude(con, parsed, where)
        _insert(con, where, vintage, parsed.release, parsed.encoding, parsed.unit is not None)
        loaded += 1
        rows += parsed.rows.height
        encodings[parsed.encoding] = encodings.get(parsed.encoding, 0) + 1
    for pages in estat.answers([p for p in files if p.suffix == ".json"]).values():
        for answer in estat.read_answer(pages, countries, base):
            _stage_rows(con, answer.rows)
            release = Release(answer.direction, answer.year, answer.published_through,
                              answer.confirmed_through, answer.release)
            _insert(con, answer.where, answer.vintage, release, "utf-8", True)
            rows += answer.rows.height
        loaded += len(pages)
        encodings["e-Stat JSON"] = encodings.get("e-Stat JSON", 0) + len(pages)
    staged = rebuild_table(con, "staging/japan_trade_monthly")
    return {"files": loaded, "raw_rows": rows, "staged_rows": staged, "encodings": encodings}


def _stage_rows(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> None:
    con.register("_jt_file", frame)
    run(con, "CREATE OR REPLACE TEMP TABLE _jt_new AS SELECT * FROM _jt_file")
    con.unregister("_jt_file")


def _insert(con: duckdb.DuckDBPyConnection, where: str, vintage: datetime, release: Release,
            encoding: str, unit_line: bool) -> None:
    """``_jt_new`` into raw as the vintage ``vintage`` of ``where`` (replacing that vintage,
    and for an e-Stat answer of several years only that year's release of it)."""
    run(con, "DELETE FROM raw.japan_trade WHERE file = $f AND vintage = $v AND release = $r",
        {"f": where, "v": vintage, "r": release.name})
    names = ", ".join(COLUMNS[n] for n in HEADER_CUSTOM)
    run(con, f"""INSERT INTO raw.japan_trade ({names}, file, line, release,
                   published_through, confirmed_through, encoding, unit_line, vintage)
                 SELECT {names}, $f, line, $release, $published, $confirmed, $encoding,
                        $unit, $v FROM _jt_new""",
        {"f": where, "release": release.name, "published": release.published_through,
         "confirmed": release.confirmed_through, "encoding": encoding, "unit": unit_line,
         "v": vintage})
    run(con, "DROP TABLE _jt_new")


def _check_magnitude(con: duckdb.DuckDBPyConnection, parsed: ParsedFile, where: str) -> None:
    """Without a unit line, compare the file's values with the figures already staged for the
    same months, lines and countries: a median ratio near 1000 means yen, not thousand yen."""
    direction = "export" if parsed.release.direction == "exp" else "import"
    values = ", ".join(f"value_{m.lower()}" for m in MONTHS)
    found = run(con, f"""
        WITH new AS (
            SELECT line, m.month, trim(trim(hs), '''"') AS hs9, trim(country) AS country_code,
                   try_cast(trim([{values}][m.month]) AS BIGINT) AS value
            FROM _jt_new, range(1, $published + 1) AS m(month)
        ), pairs AS (
            SELECT n.line, n.month, n.value / s.value_jpy_thousand AS ratio
            FROM new n JOIN staging.japan_trade_monthly s
              ON s.period = make_date($year, n.month::INTEGER, 1) AND s.direction = $direction
             AND s.hs9 = n.hs9 AND s.country_code = n.country_code
            WHERE n.value > 0 AND s.value_jpy_thousand > 0
        )
        SELECT median(ratio), count(*), arg_max(line, ratio), arg_max(month, ratio)
        FROM pairs""",
        {"published": parsed.release.published_through, "year": parsed.release.year,
         "direction": direction})[0]
    median, pairs, line, month = found
    if pairs and median >= YEN_RATIO:
        raise SourceError(SOURCE, where, f"line {line}: values are {median:,.0f} times the "
                          f"figures already loaded for the same months, lines and countries "
                          f"({pairs} pairs; median): yen written where thousand yen belong?",
                          field=f"Value-{MONTHS[int(month) - 1]}")


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.absolute().relative_to(root.absolute()))
    except ValueError:
        return str(path)
