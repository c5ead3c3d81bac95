"""The offline sample snapshot: deterministic, in the real sources' shape, legally consistent.

Every check reads the files the generator wrote (never the generator's constants).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from pipelines.lib.sources import snapshot
from pipelines.sample.generate import generate

HTS_KEYS = [
    "htsno", "indent", "description", "superior", "units", "general", "special", "other",
    "footnotes", "quotaQuantity", "additionalDuties", "addiitionalDuties",
]
IMPORT_HEADER = [
    "I_COMMODITY", "I_COMMODITY_LDESC", "I_COMMODITY_SDESC", "CTY_CODE", "CTY_NAME",
    "SUMMARY_LVL", "GEN_VAL_MO", "CON_VAL_MO", "DUT_VAL_MO", "CAL_DUT_MO", "CON_QY1_MO",
    "UNIT_QY1", "RP", "LAST_UPDATE", "time", "COMM_LVL",
]
EXPORT_HEADER = [
    "E_COMMODITY", "E_COMMODITY_LDESC", "CTY_CODE", "CTY_NAME", "ALL_VAL_MO", "QTY_1_MO",
    "UNIT_QY1", "time", "COMM_LVL",
]
JAPAN_DEAL_HEADINGS = [
    "9903.02.30", "9903.02.72", "9903.02.73", "9903.94.40", "9903.94.41", "9903.94.42",
    "9903.94.43", "9903.96.02",
]
REV23_HEADINGS = [*JAPAN_DEAL_HEADINGS, "9903.01.25", "9903.81.87", "9903.85.02", "9903.94.01"]
REQUIRED_RELEASES = {
    "2025HTSBasic": "01/01/2025",
    "2025HTSRev23": "09/16/2025",
    "2026HTSRev4": "02/24/2026",
}


def _months() -> list[str]:
    return [f"{y}-{m:02d}" for y in (2024, 2025, 2026) for m in range(1, 13)
            if (y, m) <= (2026, 9)]


MONTHS = _months()


def _digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*")) if p.is_file()
    }


def _mdy(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%m/%d/%Y").date()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sample") / "sample_snapshot"
    summary = generate(root)
    assert summary["import_rows"] > 0 and summary["export_rows"] > 0
    return root


@pytest.fixture(scope="module")
def releases(sample: Path) -> list[dict]:
    return json.loads(snapshot.release_list_path(sample).read_text())


@pytest.fixture(scope="module")
def hts(sample: Path, releases: list[dict]) -> dict[str, list[dict]]:
    out = {}
    for rel in releases:
        with gzip.open(snapshot.release_path(sample, rel["name"]), "rt", encoding="utf-8") as fh:
            out[rel["name"]] = json.load(fh)
    return out


def _answers(root: Path, endpoint: str, level: str = "HS10"):
    for period in snapshot.census_months(root, endpoint):
        for path in snapshot.census_month_files(root, endpoint, period):
            if ("COMM_LVL=HS2" in path.name) == (level == "HS2"):
                yield period, path, json.loads(path.read_text())


@pytest.fixture(scope="module")
def imports(sample: Path) -> list[tuple[str, Path, list[list[str]]]]:
    """The answers of the country requests (the all-partner mineral answers are apart)."""
    return [a for a in _answers(sample, "imports_hs") if a[1].name.startswith("CTY_CODE=")]


def test_all_partner_mineral_answers_repeat_the_own_requests(sample: Path, imports) -> None:
    """Like the API, an answer without CTY_CODE repeats, unchanged, the rows that the country
    requests already carry; the rest are single countries' (DET) rows, Japan's never (its
    lines are audited). Its mineral lines need not be in the sample's HTS catalogue."""
    own = {(period, tuple(row)) for period, _, rows in imports for row in rows[1:]}
    own_keys = {(period, row[0], row[3]) for period, _, rows in imports for row in rows[1:]}
    partners = [a for a in _answers(sample, "imports_hs") if not a[1].name.startswith("CTY_")]
    assert {p.name for _, p, _ in partners} >= {"I_COMMODITY=280530.json",
                                                "I_COMMODITY=850511.json"}
    repeated = added = 0
    for period, _, rows in partners:
        assert rows[0] == list(IMPORT_HEADER)
        for row in rows[1:]:
            if (period, row[0], row[3]) in own_keys:   # a line the country's own answer has
                assert (period, tuple(row)) in own
                repeated += 1
            else:
                assert row[5] == "DET" and row[3] != "5880"
                added += 1
    assert repeated > 0 and added > 0


def _rate_lines(records: list[dict]) -> dict[str, str]:
    """HS10 (no dots) -> column-1 text, 10-digit lines inheriting their 8-digit line's rate."""
    out: dict[str, str] = {}
    parent_rate: dict[str, str] = {}
    has_children: set[str] = set()
    for rec in records:
        code = rec["htsno"]
        if code[:2] >= "98":
            continue
        if len(code) == 10:
            parent_rate[code] = rec["general"]
        elif len(code) == 13:
            has_children.add(code[:10])
            out[code.replace(".", "")] = rec["general"] or parent_rate.get(code[:10], "")
    for code, rate in parent_rate.items():
        if code not in has_children:
            out[code.replace(".", "") + "00"] = rate
    return out


# -- determinism -------------------------------------------------------------------------------


def test_two_runs_write_identical_bytes(tmp_path: Path, sample: Path) -> None:
    first = tmp_path / "one" / "snap"
    second = tmp_path / "two" / "snap"
    generate(first)
    generate(second)
    generate(second)  # replacing an existing snapshot goes through the same atomic rename
    assert _digest(first) == _digest(second) == _digest(sample)
    leftovers = [p.name for p in (tmp_path / "two").iterdir() if p.name != "snap"]
    assert leftovers == [], f"temporary directories left behind: {leftovers}"


# -- HTS ---------------------------------------------------------------------------------------


def test_release_list(releases: list[dict]) -> None:
    names = {rel["name"]: rel for rel in releases}
    assert len(releases) >= 3
    for name, start in REQUIRED_RELEASES.items():
        assert names[name]["releaseStartDate"] == start
    assert [rel["status"] for rel in releases].count("current") == 1
    for rel in releases:
        assert set(rel) >= {"name", "description", "title", "status", "releaseStartDate",
                            "releaseEndDate", "id"}
        assert set(rel["id"]) == {"timestamp", "date"}
        _mdy(rel["releaseStartDate"])
        if rel["status"] == "current":
            assert rel["releaseEndDate"] is None
        else:
            assert _mdy(rel["releaseEndDate"]) >= _mdy(rel["releaseStartDate"])


def test_release_records_have_the_usitc_keys(hts: dict[str, list[dict]]) -> None:
    for name, records in hts.items():
        for rec in records:
            assert list(rec) == HTS_KEYS, (name, rec["htsno"])
        hs8 = {
            rec["htsno"][:10] for rec in records
            if len(rec["htsno"]) in (10, 13) and "01" <= rec["htsno"][:2] <= "97"
        }
        assert len(hs8) >= 400, name
        chapters = {code[:2] for code in hs8}
        assert len(chapters) >= 90, name


def test_release_structure_like_the_real_export(hts: dict[str, list[dict]]) -> None:
    records = hts["2025HTSRev23"]
    codes = {rec["htsno"] for rec in records}
    assert any(rec["superior"] == "true" and rec["htsno"] == "" for rec in records)
    assert any(len(rec["htsno"]) == 4 and rec["indent"] == "0" for rec in records)
    # an 8-digit line without statistical children, and a 10-digit line with its own rate
    lone = [c for c in codes if len(c) == 10 and not any(o.startswith(c + ".") for o in codes)]
    assert lone
    own = [rec for rec in records if len(rec["htsno"]) == 13 and rec["general"]
           and rec["htsno"][:10] not in codes]
    assert own
    specials = " ".join(rec["special"] for rec in records)
    assert re.search(r"\bJP\b", specials)
    rates = {rec["general"] for rec in records}
    for text in ("Free", "2.5%", "10.5¢/bbl", "0.68¢/kg", "3¢/liter", "$1.035/kg", "94¢/doz.",
                 "0.8¢ each + 5.4%", "1.5¢/kg + 5%", "17¢ each + 2.5% + 1¢/jewel"):
        assert text in rates, text


def test_chapter99_headings_by_release(hts: dict[str, list[dict]]) -> None:
    def headings(name: str) -> dict[str, str]:
        return {r["htsno"]: r["general"] for r in hts[name] if r["htsno"].startswith("9903.")}

    rev23 = headings("2025HTSRev23")
    for code in REV23_HEADINGS:
        assert code in rev23, code
    assert rev23["9903.02.73"] == "15%"
    assert rev23["9903.02.30"] == "The duty provided in the applicable subheading + 15%"
    basic = headings("2025HTSBasic")
    assert not set(JAPAN_DEAL_HEADINGS) & set(basic)
    rev4 = headings("2026HTSRev4")
    assert rev4["9903.03.01"] == "The duty provided in the applicable subheading + 10%"
    assert set(REV23_HEADINGS) <= set(rev4)


def test_some_rates_and_lines_change_between_releases(hts: dict[str, list[dict]]) -> None:
    basic = _rate_lines(hts["2025HTSBasic"])
    rev4 = _rate_lines(hts["2026HTSRev4"])
    changed = [c for c in basic.keys() & rev4.keys() if basic[c] != rev4[c]]
    assert 1 <= len(changed) <= 20
    assert basic.keys() - rev4.keys() and rev4.keys() - basic.keys()


# -- Census ------------------------------------------------------------------------------------


def test_every_month_of_both_endpoints(sample: Path) -> None:
    for endpoint in snapshot.CENSUS_ENDPOINTS:
        assert snapshot.census_months(sample, endpoint) == MONTHS
        for period in MONTHS:
            assert snapshot.census_month_files(sample, endpoint, period)


def test_census_answers_are_string_tables(sample: Path, imports) -> None:
    exports = list(_answers(sample, "exports_hs"))
    for header, answers in ((IMPORT_HEADER, imports), (EXPORT_HEADER, exports)):
        for period, path, rows in answers:
            assert rows[0] == header, path
            assert len(rows) > 1, path
            for row in rows[1:]:
                assert len(row) == len(header), path
                assert all(isinstance(v, str) for v in row), path
                assert row[header.index("time")] == period
                assert row[header.index("COMM_LVL")] == "HS10"


def test_import_values_are_consistent(imports) -> None:
    levels = {}
    for _, _, rows in imports:
        for row in rows[1:]:
            rec = dict(zip(IMPORT_HEADER, row, strict=True))
            con, gen = int(rec["CON_VAL_MO"]), int(rec["GEN_VAL_MO"])
            dut_val, duty = int(rec["DUT_VAL_MO"]), int(rec["CAL_DUT_MO"])
            assert 0 <= dut_val <= con <= gen
            assert 0 <= duty <= con
            assert re.fullmatch(r"\d{10}", rec["I_COMMODITY"])
            if rec["RP"] == "00":
                assert duty == 0
            levels[rec["CTY_CODE"]] = rec["SUMMARY_LVL"]
    assert levels == {"5880": "DET", "0003": "CGP", "5800": "DET", "4120": "DET",
                      "4419": "DET", "5700": "DET", "-": "CGP"}


def test_imported_lines_exist_in_the_releases_in_force(releases, hts, imports) -> None:
    spans = []
    for rel in sorted(releases, key=lambda r: _mdy(r["releaseStartDate"])):
        end = _mdy(rel["releaseEndDate"]) if rel["releaseEndDate"] else dt.date.max
        spans.append((_mdy(rel["releaseStartDate"]), end, set(_rate_lines(hts[rel["name"]]))))
    for period, path, rows in imports:
        first = dt.date.fromisoformat(period + "-01")
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        in_force = [lines for start, end, lines in spans if start <= last and end >= first]
        in_force = in_force or [spans[0][2]]  # 2024: before the first 2025 release
        for row in rows[1:]:
            for lines in in_force:
                assert row[0] in lines, (path, row[0])


def _japan_ratio(imports, period: str, hs10: set[str]) -> float:
    value = duty = 0
    for month, path, rows in imports:
        if month != period or not path.name.startswith("CTY_CODE=5880"):
            continue
        for row in rows[1:]:
            rec = dict(zip(IMPORT_HEADER, row, strict=True))
            if rec["I_COMMODITY"] in hs10 and rec["RP"] != "00":  # warehouse/FTZ: no duty
                value += int(rec["CON_VAL_MO"])
                duty += int(rec["CAL_DUT_MO"])
    assert value > 0, f"no Japanese imports of the textile lines in {period}"
    return 100 * duty / value


def test_japan_textile_line_follows_the_timeline(hts, imports) -> None:
    textile = {
        code for code, rate in _rate_lines(hts["2025HTSRev23"]).items()
        if rate == "7.5%" and "50" <= code[:2] <= "63"
    }
    assert textile
    # DOMAIN.md §2: stacking (m + 15 % = 22.5 %) from 7 Aug 2025; entries of 1-6 Aug still
    # paid m + 10 % (17.5 %), so August's day-weighted rate is a little under 22.5 %.
    august = _japan_ratio(imports, "2025-08", textile)
    expected_august = (6 * 17.5 + 25 * 22.5) / 31
    assert abs(august - expected_august) < 0.5, august
    assert abs(august - 22.5) < 1.5, august
    # agreement in force from 16 Sep 2025: max(15 %, m) = 15 %
    october = _japan_ratio(imports, "2025-10", textile)
    assert abs(october - 15.0) < 1.0, october
    # September mixes the two regimes about half and half
    september = _japan_ratio(imports, "2025-09", textile)
    assert 17.5 < september < 20.0, september


def test_japan_effective_rate_moves_with_the_regimes(imports) -> None:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for period, path, rows in imports:
        if path.name.startswith("CTY_CODE=5880"):
            for row in rows[1:]:
                totals[period][0] += int(row[IMPORT_HEADER.index("CON_VAL_MO")])
                totals[period][1] += int(row[IMPORT_HEADER.index("CAL_DUT_MO")])
    rate = {p: 100 * d / v for p, (v, d) in totals.items()}
    assert all(10e9 < totals[p][0] < 15e9 for p in MONTHS)
    assert all(rate[p] < 3.0 for p in MONTHS if p < "2025-04")
    assert all(10.0 < rate[p] < 16.0 for p in ("2025-10", "2025-11", "2025-12"))


def test_exports_show_the_commitments(sample: Path) -> None:
    by_code: dict[str, dict[str, tuple[int, int]]] = defaultdict(dict)
    for period, _, rows in _answers(sample, "exports_hs"):
        for row in rows[1:]:
            rec = dict(zip(EXPORT_HEADER, row, strict=True))
            assert rec["CTY_CODE"] == "5880"
            assert re.fullmatch(r"\d{10}", rec["E_COMMODITY"])
            by_code[rec["E_COMMODITY"]][period] = (int(rec["ALL_VAL_MO"]), int(rec["QTY_1_MO"]))
    assert {code[:4] for code in by_code} >= {"1006", "1005", "1201", "2711", "2709", "2701",
                                              "8802"}

    def mean_qty(code_prefix: str, months: list[str]) -> float:
        series = [q for code, s in by_code.items() if code.startswith(code_prefix)
                  for p, (_, q) in s.items() if p in months]
        return sum(series) / len(months)

    before = [p for p in MONTHS if p < "2025-10"]
    after = [p for p in MONTHS if p >= "2025-12"]
    assert mean_qty("1006", after) > 1.4 * mean_qty("1006", before)
    aircraft = [q for code, s in by_code.items() if code.startswith("8802") for _, q in s.values()]
    assert min(aircraft) >= 0 and max(aircraft) <= 8 and len(set(aircraft)) > 2


def test_chapter_totals_equal_the_hs10_rows(sample: Path, imports) -> None:
    hs10 = {}
    for period, _, rows in imports:
        for row in rows[1:]:
            rec = dict(zip(IMPORT_HEADER, row, strict=True))
            key = (period, rec["CTY_CODE"], rec["I_COMMODITY"][:2])
            hs10[key] = hs10.get(key, 0) + int(rec["CON_VAL_MO"])
    totals = {}
    for period, _, rows in _answers(sample, "imports_hs", "HS2"):
        header = rows[0]
        for row in rows[1:]:
            rec = dict(zip(header, row, strict=True))
            assert rec["COMM_LVL"] == "HS2" and re.fullmatch(r"\d{2}", rec["I_COMMODITY"])
            totals[(period, rec["CTY_CODE"], rec["I_COMMODITY"])] = int(rec["CON_VAL_MO"])
    assert totals and set(totals) == set(hs10)
    assert all(abs(totals[k] - hs10[k]) <= 1 for k in totals)


def test_federal_register_answers_in_the_api_shape(sample: Path) -> None:
    import yaml

    folder = sample / "federal_register"
    ledger = yaml.safe_load((Path(__file__).resolve().parents[2] / "pipelines" / "ledger" /
                             "instruments.yaml").read_text(encoding="utf-8"))
    numbers = {i["fr_doc"] for i in ledger["instruments"] if i.get("fr_doc")}
    documents = {p.stem: json.loads(p.read_bytes()) for p in (folder / "documents").glob("*.json")}
    assert set(documents) == numbers
    for number, answer in documents.items():
        assert answer["document_number"] == number
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", answer["publication_date"])
        assert answer["json_url"].endswith(f"/documents/{number}.json")
        assert answer["citation"] is None or re.fullmatch(r"\d+ FR \d+", answer["citation"])
    pages = sorted((folder / "search").glob("*.json"), key=lambda p: p.stem)
    answers = [json.loads(p.read_bytes()) for p in pages]
    assert [p.name.rsplit("=", 1)[1] for p in pages] == ["1.json", "2.json", "3.json"]
    assert {a["total_pages"] for a in answers} == {3} and {a["count"] for a in answers} == {5}
    assert ["next_page_url" in a for a in answers] == [True, True, False]
    results = [r for a in answers for r in a["results"]]
    assert len(results) == 5 and all(r["type"] == "Presidential Document" for r in results)
    assert all(r["publication_date"] >= "2025-07-01" for r in results)


def test_exports_carry_census_quantities_and_units(sample: Path) -> None:
    units: dict[str, set[str]] = defaultdict(set)
    unreported = []
    for period, _, rows in _answers(sample, "exports_hs"):
        for row in rows[1:]:
            rec = dict(zip(EXPORT_HEADER, row, strict=True))
            units[rec["E_COMMODITY"][:4]].add(rec["UNIT_QY1"])
            assert int(rec["ALL_VAL_MO"]) > 0  # no row for a code without trade
            if rec["QTY_1_MO"] == "0":
                unreported.append((period, rec["E_COMMODITY"]))
    assert units["1006"] == {"KG"} and units["8802"] == {"NO"} and units["2711"] == {"M3", "BBL"}
    assert unreported == [("2026-08", "8802400060")]  # the scenario's data error


def test_a_stale_sample_is_regenerated_by_the_source(tmp_path: Path, sample: Path,
                                                     monkeypatch) -> None:
    """A sample written by another version of the generator (its fingerprint differs) is
    rewritten before a run reads it; a current one is left alone."""
    import shutil

    from pipelines.defs.resources import SourceResource
    from pipelines.sample.generate import FINGERPRINT_FILE, is_current

    monkeypatch.setenv("TARIFF_AUDIT_DATA", str(tmp_path))
    root = tmp_path / "sample_snapshot"
    shutil.copytree(sample, root)
    assert is_current(root)
    marker = root / FINGERPRINT_FILE
    stamp = marker.stat().st_mtime_ns
    assert SourceResource(source="sample").root() == root
    assert marker.stat().st_mtime_ns == stamp  # current: not rewritten

    (root / FINGERPRINT_FILE).write_text("an older generator\n")
    shutil.rmtree(root / "federal_register")  # what an older generator did not write
    assert not is_current(root)
    SourceResource(source="sample").root()
    assert is_current(root) and (root / "federal_register").is_dir()
    assert _digest(root) == _digest(sample)
