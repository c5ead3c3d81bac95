"""Read the e-Stat ``getStatsData`` answers saved in the snapshot into ``raw.japan_trade``.

The client (``client.py``) lands every page of a table unchanged as
``<snapshot>/japan_customs/estat/<statsDataId>/<narrowing>_<start>.json``; the pages of one
request (same table, same narrowing) are one **answer**. This module turns an answer into the
rows the MOF/Customs CSV has for the same table, so both routes load into the same columns
and give the same ``staging.japan_trade_monthly`` rows:

- ``TABLE_INF`` (``STATISTICS_NAME`` / ``TITLE``) says the direction: 輸出 exports (FOB), 輸入
  imports (CIF); a table naming neither or both is refused;
- ``CLASS_INF.CLASS_OBJ`` must hold ``tab`` (金額 = Value, 数量1 / 第1数量 = Quantity1, 数量2 /
  第2数量 = Quantity2), ``cat01`` (the 9-digit HS code), ``area`` (Japan Customs' 3-digit
  country code) and ``time`` (``YYYY00MMMM`` for a month, ``YYYY000000`` for the year);
- each ``DATA_INF.VALUE`` cell ``{"@tab", "@cat01", "@area", "@time", "@unit", "$"}`` fills one
  field of the CSV row of its year, line and country. Values must be in 千円 (thousand yen);
  quantities carry Japan Customs' unit code (KG, NO, MT...), which becomes Unit1 / Unit2;
  ``$`` is a whole number, or ``-`` when ``DATA_INF.NOTE`` declares it (no figure: blank, as
  the CSV writes it); any other text (``x``: withheld, ``***``) is refused.

**Releases**: e-Stat does not say which months are provisional. An answer is read as the
monthly release of its latest month (per year and direction): that month provisional, the
earlier ones confirmed, as in Japan Customs' monthly release. The release is named
``estat_<statsDataId>_<exp|imp>_<YYYY-MM>``; months the answer does not cover stay NULL in raw
and never compete with another release in staging. Every fetch is kept as a vintage (the
newest modification time of its pages).

Every problem raises ``SourceError`` naming the file, the field and the e-Stat key at fault;
the caller's transaction then rolls back.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipelines.lib.errors import SourceError
from pipelines.lib.sources.japan_customs.client import STATUS_NO_DATA, parse_answer

SOURCE = "e-Stat getStatsData (snapshot)"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DIMENSIONS = ("tab", "cat01", "area", "time")
KINDS = {"金額": "value", "数量1": "quantity1", "第1数量": "quantity1", "数量2": "quantity2",
         "第2数量": "quantity2"}
VALUE_UNIT = "千円"
_PAGE = re.compile(r"^(?P<slug>.+)_(?P<start>\d+)\.json$")
_TIME = re.compile(r"^(?P<year>\d{4})00(?:(?P<month>0[1-9]|1[0-2])(?P=month)|0000)$")
_UNIT_CODE = re.compile(r"^[A-Z0-9]{1,5}$")


@dataclass
class Answer:
    """One year of one direction of one saved answer, as raw.japan_trade rows."""

    where: str                # the answer's first page, relative to the snapshot
    direction: str            # exp | imp
    year: int
    published_through: int
    confirmed_through: int
    release: str
    vintage: datetime
    rows: pl.DataFrame        # raw.japan_trade measure columns as strings (NULL: not served)


def answers(paths: list[Path]) -> dict[tuple[Path, str], list[Path]]:
    """The saved pages grouped by answer (directory = statsDataId, narrowing), in page order."""
    groups: dict[tuple[Path, str], list[tuple[int, Path]]] = defaultdict(list)
    for path in paths:
        match = _PAGE.match(path.name)
        if not match:
            raise SourceError(SOURCE, str(path), "file name is not <narrowing>_<start>.json as "
                              "the e-Stat client saves pages", field="file name")
        groups[(path.parent, match["slug"])].append((int(match["start"]), path))
    return {key: [p for _, p in sorted(pages)] for key, pages in sorted(groups.items())}


def _text(node) -> str:
    if isinstance(node, dict):
        return str(node.get("$", ""))
    return "" if node is None else str(node)


def _direction(stat: dict, fail) -> str:
    table = stat.get("TABLE_INF")
    if not isinstance(table, dict):
        raise fail("STATISTICAL_DATA has no TABLE_INF (the table's title says the direction)",
                   "TABLE_INF")
    title = " ".join(_text(table.get(k)) for k in ("STATISTICS_NAME", "TITLE"))
    found = {d for word, d in (("輸出", "exp"), ("輸入", "imp")) if word in title}
    if len(found) != 1:
        raise fail(f"TABLE_INF STATISTICS_NAME/TITLE {title.strip()!r} names "
                   f"{'both' if found else 'neither'} 輸出 (exports) and 輸入 (imports): the "
                   "direction of the table is unknown", "TABLE_INF.TITLE")
    return found.pop()


def _class_units(stat: dict) -> dict[str, str]:
    """``{tab code: @unit}`` from CLASS_INF (already checked by ``parse_answer``)."""
    for obj in _listed(stat["CLASS_INF"]["CLASS_OBJ"]):
        if obj.get("@id") == "tab":
            return {str(c.get("@code")): str(c.get("@unit", "")) for c in _listed(obj["CLASS"])}
    return {}


def _listed(node) -> list:
    return [node] if isinstance(node, dict) else list(node or [])


def _notes(data_inf: dict) -> dict[str, str]:
    return {str(n.get("@char")): _text(n) for n in _listed(data_inf.get("NOTE"))
            if isinstance(n, dict)}


def read_answer(pages: list[Path], countries: set[str], root: Path) -> list[Answer]:
    """Check every page of one answer and pivot its cells into CSV-shaped rows, one
    ``Answer`` per year. Raises ``SourceError`` naming the page, the field and the key."""
    stats_data_id = pages[0].parent.name
    first_where = _relative(pages[0], root)
    cells: list[tuple[str, int, dict[str, str], str, dict[str, str]]] = []
    direction = None
    expected_start = 1
    for path in pages:
        where = _relative(path, root)

        def fail(problem: str, field: str, where: str = where) -> SourceError:
            return SourceError(SOURCE, where, problem, field=field)

        start = int(_PAGE.match(path.name)["start"])
        if start != expected_start:
            raise fail(f"page starting at {expected_start} is missing (found {path.name}): "
                       "the answer is incomplete", "RESULT_INF.NEXT_KEY")
        body = path.read_bytes()
        page = parse_answer(body, stats_data_id, start, where)
        if page.status == STATUS_NO_DATA:
            expected_start = None
            break
        stat = json.loads(body)["GET_STATS_DATA"]["STATISTICAL_DATA"]
        missing = [d for d in DIMENSIONS if d not in page.classes]
        if missing:
            raise fail(f"CLASS_INF has no CLASS_OBJ {', '.join(map(repr, missing))} (saved "
                       "with metaGetFlg=N, or not Japan's trade table by HS9 x country)",
                       "CLASS_INF.CLASS_OBJ")
        this = _direction(stat, fail)
        if direction not in (None, this):
            raise fail(f"page of {this}orts in an answer of {direction}orts", "TABLE_INF.TITLE")
        direction = this
        units, notes = _class_units(stat), _notes(stat["DATA_INF"])
        for number, cell in enumerate(page.values, start=start):
            for key in DIMENSIONS:
                if key not in cell:
                    raise fail(f"VALUE {number} has no @{key}: {json.dumps(cell)[:200]}",
                               f"DATA_INF.VALUE.@{key}")
            cells.append((where, number, cell, page.classes["tab"][cell["tab"]],
                          {"unit": cell.get("unit") or units.get(cell["tab"], ""),
                           "note": notes.get(cell["$"].strip(), "")}))
        expected_start = page.next_key
        if expected_start is None:
            break
    if expected_start is not None:
        raise SourceError(SOURCE, first_where, f"NEXT_KEY {expected_start} but no page "
                          f"{pages[0].name.rsplit('_', 1)[0]}_{expected_start}.json was saved: "
                          "the answer is incomplete", field="RESULT_INF.NEXT_KEY")
    if direction is None:
        return []
    return _pivot(cells, direction, stats_data_id, first_where, countries,
                  max(_mtime(p) for p in pages))


def _pivot(cells, direction: str, stats_data_id: str, first_where: str, countries: set[str],
           vintage: datetime) -> list[Answer]:
    rows: dict[tuple[int, str, str], dict[str, str | int]] = {}
    months: dict[int, int] = defaultdict(int)
    for where, number, cell, tab_name, extra in cells:
        def fail(problem: str, field: str, where: str = where,
                 number: int = number) -> SourceError:
            return SourceError(SOURCE, where, f"VALUE {number}: {problem}", field=field)

        kind = KINDS.get(tab_name.strip())
        if kind is None:
            raise fail(f"@tab {cell['tab']!r} is {tab_name!r}, neither 金額 nor 数量1/数量2",
                       "DATA_INF.VALUE.@tab")
        time = _TIME.match(cell["time"])
        if not time:
            raise fail(f"@time {cell['time']!r} is not a month (YYYY00MMMM) or a year "
                       "(YYYY000000)", "DATA_INF.VALUE.@time")
        hs, area = cell["cat01"].strip(), cell["area"].strip()
        if not re.fullmatch(r"\d{9}", hs):
            raise fail(f"@cat01 {hs!r} is not a 9-digit statistical code",
                       "DATA_INF.VALUE.@cat01")
        if area not in countries:
            raise fail(f"@area {area!r} is not a known Japan Customs country code (not in "
                       "pipelines/ledger/mirror.yaml; check the code list and add it there)",
                       "DATA_INF.VALUE.@area")
        unit, amount = extra["unit"].strip(), cell["$"].strip()
        if kind == "value" and unit != VALUE_UNIT:
            raise fail(f"@unit {unit!r} of 金額: unknown unit, only {VALUE_UNIT} (thousand yen) "
                       "is read", "DATA_INF.VALUE.@unit")
        if kind != "value" and unit and not _UNIT_CODE.match(unit):
            raise fail(f"@unit {unit!r} of {tab_name}: unknown unit (expected Japan Customs' "
                       "unit code: KG, NO, MT, ...)", "DATA_INF.VALUE.@unit")
        if amount == "-" and extra["note"]:
            amount = ""                      # declared in DATA_INF.NOTE: no figure
        elif not amount.isdigit() or not amount.isascii():
            said = f" (DATA_INF.NOTE: {extra['note']!r})" if extra["note"] else ""
            raise fail(f"$ is {amount!r}{said}, not a whole number of {unit or 'units'}",
                       "DATA_INF.VALUE.$")
        year = int(time["year"])
        month = int(time["month"]) if time["month"] else 0
        period = MONTHS[month - 1].lower() if month else "year"
        row = rows.setdefault((year, hs, area), {"line": number})
        column = f"{kind}_{period}"
        if column in row:
            raise fail(f"a second cell for @cat01 {hs} @area {area} @time {cell['time']} "
                       f"@tab {cell['tab']}", "DATA_INF.VALUE")
        row[column] = amount
        if kind != "value":
            slot = "unit1" if kind == "quantity1" else "unit2"
            if row.setdefault(slot, unit) != unit:
                raise fail(f"@unit {unit!r} but earlier cells of @cat01 {hs} @area {area} give "
                           f"{row[slot]!r}", "DATA_INF.VALUE.@unit")
        if month:
            months[year] = max(months[year], month)
    answers = []
    for year in sorted({y for y, _, _ in rows}):
        latest = months.get(year, 0)
        if not latest:
            continue
        measures = [f"{k}_{p}" for p in ("year", *(m.lower() for m in MONTHS))
                    for k in ("quantity1", "quantity2", "value")]
        records = [{"exp_or_imp": "1" if direction == "exp" else "2", "year": str(year),
                    "custom": None, "hs": hs, "country": area,
                    "unit1": row.get("unit1", ""), "unit2": row.get("unit2", ""),
                    **{m: row.get(m) for m in measures}, "line": row["line"]}
                   for (y, hs, area), row in sorted(rows.items()) if y == year]
        frame = pl.DataFrame(records, schema={**{c: pl.Utf8 for c in records[0]},
                                              "line": pl.Int64})
        answers.append(Answer(first_where, direction, year, latest, latest - 1,
                              f"estat_{stats_data_id}_{direction}_{year}-{latest:02d}",
                              vintage, frame))
    return answers


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.absolute().relative_to(root.absolute()))
    except ValueError:
        return str(path)
