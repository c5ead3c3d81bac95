"""e-Stat getStatsData answers saved in the snapshot, read into raw.japan_trade: the same
staging rows as the MOF/Customs CSV of the same month and lines, pages followed by NEXT_KEY,
and every malformed answer stopping with the file, the field and the e-Stat key."""

import json

import duckdb
import pytest

from pipelines.lib.errors import SourceError
from pipelines.lib.sources.japan_customs.reader import HEADER, load_files
from pipelines.lib.sources.snapshot import japan_customs_files
from pipelines.lib.warehouse.execute import run

COUNTRIES = {"105", "304"}
TABLE = "0003425296"
# (hs9, country) -> (unit2, [(quantity1, quantity2, value) for each month Jan..])
LINES = {
    ("280530000", "105"): ("KG", [(0, 1200, 340), (0, 0, 0), (0, 800, 215)]),
    ("280530000", "304"): ("KG", [(0, 30, 12), (0, 55, 19), (0, 0, 0)]),
    ("850511000", "105"): ("KG", [(0, 9000, 4100), (0, 9100, 4200), (0, 9900, 4700)]),
}
TABS = [("100", "数量1", ""), ("110", "数量2", ""), ("120", "金額", "千円")]


def _time(year, month):
    return f"{year}00{month:02d}{month:02d}"


def _cells(lines=LINES, year=2025, months=None):
    cells = []
    for (hs, area), (unit2, figures) in lines.items():
        for month, figure in enumerate(figures, start=1):
            if months is not None and month not in months:
                continue
            for (tab, name, unit), amount in zip(TABS, figure, strict=True):
                cell = {"@tab": tab, "@cat01": hs, "@area": area,
                        "@time": _time(year, month)}
                cell["@unit"] = unit or (unit2 if name == "数量2" else "")
                if not cell["@unit"]:
                    del cell["@unit"]
                cell["$"] = str(amount) if amount or name != "数量1" else "-"
                cells.append(cell)
    return cells


def _answer(cells, start=1, total=None, next_key=None, title="輸入 品別国別表（9桁）",
            status=0, message="正常に終了しました。", classes=None):
    """One getStatsData page as e-Stat API 3.0 writes it (sectionHeaderFlg=1, metaGetFlg=Y)."""
    times = sorted({c["@time"] for c in cells if "@time" in c}) or [_time(2025, 1)]
    info = {"TOTAL_NUMBER": total if total is not None else len(cells),
            "FROM_NUMBER": start, "TO_NUMBER": start + len(cells) - 1}
    if next_key:
        info["NEXT_KEY"] = next_key
    class_obj = classes if classes is not None else [
        {"@id": "tab", "@name": "表章項目",
         "CLASS": [{"@code": c, "@name": n, "@level": "", **({"@unit": u} if u else {})}
                   for c, n, u in TABS]},
        {"@id": "cat01", "@name": "品目", "CLASS": [
            {"@code": "280530000", "@name": "希土類金属", "@level": "1"},
            {"@code": "850511000", "@name": "永久磁石（金属製のもの）", "@level": "1"}]},
        {"@id": "area", "@name": "国", "CLASS": [
            {"@code": "105", "@name": "中華人民共和国", "@level": "1"},
            {"@code": "304", "@name": "アメリカ合衆国", "@level": "1"}]},
        {"@id": "time", "@name": "時間軸（月次）", "CLASS": [
            {"@code": t, "@name": f"{t[:4]}年{int(t[6:8])}月", "@level": "1"}
            for t in times]},
    ]
    body = {"RESULT": {"STATUS": status, "ERROR_MSG": message,
                       "DATE": "2026-11-29T10:00:00.000+09:00"},
            "PARAMETER": {"LANG": "J", "STATS_DATA_ID": TABLE, "DATA_FORMAT": "J",
                          "START_POSITION": start, "METAGET_FLG": "Y"}}
    if status == 0:
        body["STATISTICAL_DATA"] = {
            "RESULT_INF": info,
            "TABLE_INF": {"@id": TABLE, "STAT_NAME": {"@code": "00350300", "$": "貿易統計"},
                          "GOV_ORG": {"@code": "00350", "$": "財務省"},
                          "STATISTICS_NAME": "貿易統計_全国分 品別国別表",
                          "TITLE": {"@no": "1", "$": title}, "CYCLE": "月次",
                          "SURVEY_DATE": "202509", "OPEN_DATE": "2025-10-30"},
            "CLASS_INF": {"CLASS_OBJ": class_obj},
            "DATA_INF": {"NOTE": {"@char": "-", "$": "数値が得られないもの"},
                         "VALUE": cells[0] if len(cells) == 1 else cells}}
    return json.dumps({"GET_STATS_DATA": body}, ensure_ascii=False).encode("utf-8")


def _save(root, body, slug="cdTime=2025000303", start=1, table=TABLE):
    path = root / "japan_customs" / "estat" / table / f"{slug}_{start}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    return path


def _csv(root, name, lines=LINES, year=2025):
    rows = []
    for (hs, area), (unit2, figures) in lines.items():
        cells = []
        for month in range(12):
            figure = figures[month] if month < len(figures) else (0, 0, 0)
            cells += [str(v) for v in figure]
        total = [str(sum(f[i] for f in figures)) for i in range(3)]
        rows.append(["2", str(year), hs, area, "", unit2, *total, *cells])
    path = root / "japan_customs" / str(year) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\r\n".join(",".join(r) for r in [HEADER, *rows]) + "\r\n")
    return path


STAGED = ("SELECT period, direction, hs9, hs6, country_code, value_jpy_thousand, quantity1, "
          "unit1, quantity2, unit2, status FROM staging.japan_trade_monthly ORDER BY ALL")


def _load(root, files):
    con = duckdb.connect(str(root / "w.duckdb"))
    counts = load_files(con, files, COUNTRIES, root)
    return con, counts


def test_csv_and_estat_of_the_same_month_give_the_same_staging_rows(tmp_path):
    csv_root, estat_root = tmp_path / "csv", tmp_path / "estat"
    csv_con, _ = _load(csv_root, [_csv(csv_root, "imp_2025-03.csv")])
    # the same table over two pages, the second found by NEXT_KEY
    cells = _cells()
    _save(estat_root, _answer(cells[:10], total=len(cells), next_key=11))
    _save(estat_root, _answer(cells[10:], start=11, total=len(cells)), start=11)
    files = japan_customs_files(estat_root)
    assert [f.name for f in files] == ["cdTime=2025000303_1.json", "cdTime=2025000303_11.json"]
    estat_con, counts = _load(estat_root, files)
    expected = run(csv_con, STAGED)
    assert len(expected) == 7                       # zero months have no row
    assert run(estat_con, STAGED) == expected
    assert {s for *_, s in expected} == {"confirmed", "provisional"}
    assert counts["raw_rows"] == 3 and counts["files"] == 2
    raw = run(estat_con, "SELECT DISTINCT file, release, encoding, unit_line, published_through,"
                         " confirmed_through FROM raw.japan_trade")
    assert raw == [(f"japan_customs/estat/{TABLE}/cdTime=2025000303_1.json",
                    f"estat_{TABLE}_imp_2025-03", "utf-8", True, 3, 2)]


def test_an_answer_of_one_month_does_not_claim_the_others(tmp_path):
    csv_file = _csv(tmp_path, "imp_2025-02.csv",
                    {k: (u, f[:2]) for k, (u, f) in LINES.items()})
    september = _save(tmp_path, _answer(_cells(months={3})))
    con, _ = _load(tmp_path, [csv_file, september])
    staged = run(con, "SELECT month(period), status, release FROM staging.japan_trade_monthly "
                      "GROUP BY ALL ORDER BY ALL")
    assert staged == [(1, "confirmed", "imp_2025-02"), (2, "provisional", "imp_2025-02"),
                      (3, "provisional", f"estat_{TABLE}_imp_2025-03")]
    # the months the answer does not cover are NULL in raw, not 0
    assert run(con, "SELECT count(*) FROM raw.japan_trade WHERE release LIKE 'estat%' AND "
                    "value_jan IS NULL AND value_mar IS NOT NULL")[0][0] == 3


def test_no_data_answer_loads_nothing(tmp_path):
    path = _save(tmp_path, _answer([], status=1, message="該当データはありませんでした。"))
    con, counts = _load(tmp_path, [path])
    assert counts["raw_rows"] == 0
    assert run(con, "SELECT count(*) FROM staging.japan_trade_monthly")[0][0] == 0


def _mutate(cells, index, **changes):
    cells = [dict(c) for c in cells]
    cells[index].update(changes)
    return cells


def _refused(tmp_path, body, field, *fragments, saved=None):
    path = _save(tmp_path, body)
    files = [path, *(saved or [])]
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    with pytest.raises(SourceError) as info:
        load_files(con, files, COUNTRIES, tmp_path)
    message = str(info.value)
    assert info.value.field == field, message
    assert f"japan_customs/estat/{TABLE}/cdTime=2025000303_1.json" in message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("body, field, fragments", [
    (_answer([], status=100, message="認証に失敗しました。"), "RESULT.STATUS",
     ["STATUS 100", "check ESTAT_APP_ID"]),
    (_answer(_cells(), status=2, message="パラメータの一部が無視されました。"), "RESULT.STATUS",
     ["STATUS 2"]),
    (_answer(_mutate(_cells(), 4, **{"@area": "999"})), "DATA_INF.VALUE",
     ["value 5", "@area '999'", "not a code of CLASS_OBJ 'area'"]),
    (_answer(_mutate(_cells(), 2, **{"$": "1,234"})), "DATA_INF.VALUE.$",
     ["VALUE 3", "'1,234'", "not a whole number"]),
    (_answer(_mutate(_cells(), 2, **{"$": "x"})), "DATA_INF.VALUE.$", ["VALUE 3", "'x'"]),
    (_answer(_mutate(_cells(), 2, **{"@unit": "円"})), "DATA_INF.VALUE.@unit",
     ["VALUE 3", "'円'", "unknown unit"]),
    (_answer(_mutate(_cells(), 1, **{"@unit": "キロ"})), "DATA_INF.VALUE.@unit",
     ["VALUE 2", "unknown unit"]),
    (_answer(_cells(), title="品別国別表"), "TABLE_INF.TITLE", ["neither"]),
    (_answer(_cells(), classes=[]), "CLASS_INF.CLASS_OBJ", ["'tab'", "'cat01'"]),
    (_answer([{k: v for k, v in c.items() if k != "@time"} for c in _cells()]),
     "DATA_INF.VALUE.@time", ["VALUE 1 has no @time"]),
    (_answer(_cells(), total=99, next_key=31), "RESULT_INF.NEXT_KEY",
     ["NEXT_KEY 31", "cdTime=2025000303_31.json"]),
    (_answer(_cells())[:-30], "body", ["truncated"]),
])
def test_malformed_answers_name_file_field_and_key(tmp_path, body, field, fragments):
    _refused(tmp_path, body, field, *fragments)


def test_unknown_country_and_monthly_time_codes(tmp_path):
    classes = json.loads(_answer(_cells()))["GET_STATS_DATA"]["STATISTICAL_DATA"][
        "CLASS_INF"]["CLASS_OBJ"]
    classes[2]["CLASS"].append({"@code": "777", "@name": "?", "@level": "1"})
    classes[3]["CLASS"].append({"@code": "2025100000", "@name": "2025年4-6月期"})
    _refused(tmp_path, _answer(_mutate(_cells(), 0, **{"@area": "777"}), classes=classes),
             "DATA_INF.VALUE.@area", "VALUE 1", "'777'", "mirror.yaml")
    _refused(tmp_path / "t", _answer(_mutate(_cells(), 0, **{"@time": "2025100000"}),
                                     classes=classes),
             "DATA_INF.VALUE.@time", "VALUE 1", "'2025100000'")


def test_a_bad_answer_changes_nothing(tmp_path):
    good = _csv(tmp_path, "imp_2025-02.csv", {k: (u, f[:2]) for k, (u, f) in LINES.items()})
    con, _ = _load(tmp_path, [good])
    before = run(con, "SELECT * FROM raw.japan_trade ORDER BY ALL"), run(con, STAGED)
    bad = _save(tmp_path, _answer(_mutate(_cells(), 5, **{"$": "***"})))
    run(con, "BEGIN")
    with pytest.raises(SourceError, match=r"VALUE 6"):
        load_files(con, [good, bad], COUNTRIES, tmp_path)
    run(con, "ROLLBACK")
    assert (run(con, "SELECT * FROM raw.japan_trade ORDER BY ALL"), run(con, STAGED)) == before
