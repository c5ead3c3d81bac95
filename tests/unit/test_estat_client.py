"""The e-Stat getStatsData client against a local server answering in e-Stat's JSON shape
(API 3.0): paging by NEXT_KEY, one VALUE as an object, STATUS 1 (no data), error statuses
with HTTP 200, HTML pages, 5xx, truncated bodies; the appId never leaves the process."""

import json
import logging

import pytest
from werkzeug import Response

from pipelines.lib.errors import SourceError, Verdict
from pipelines.lib.sources.japan_customs.client import EStatClient

APP_ID = "estat-app-id-0123456789abcdef"
TABLE = "0003425295"


def _answer(values, start=1, total=None, next_key=None, status=0, message="正常に終了しました。"):
    info = {"TOTAL_NUMBER": total if total is not None else len(values),
            "FROM_NUMBER": start, "TO_NUMBER": start + len(values) - 1}
    if next_key:
        info["NEXT_KEY"] = next_key
    classes = {"CLASS_OBJ": [
        {"@id": "tab", "@name": "表章項目", "CLASS": {"@code": "100", "@name": "金額",
                                                   "@level": "", "@unit": "千円"}},
        {"@id": "cat01", "@name": "品目", "CLASS": [
            {"@code": "280530000", "@name": "希土類金属", "@level": "1"},
            {"@code": "850511000", "@name": "永久磁石", "@level": "1"}]},
        {"@id": "area", "@name": "国", "CLASS": [
            {"@code": "105", "@name": "中華人民共和国", "@level": "1"},
            {"@code": "304", "@name": "アメリカ合衆国", "@level": "1"}]},
        {"@id": "time", "@name": "時間軸（月次）", "CLASS": {"@code": "2025000909",
                                                        "@name": "2025年9月", "@level": "1"}},
    ]}
    body = {"RESULT": {"STATUS": status, "ERROR_MSG": message,
                       "DATE": "2026-11-29T10:00:00.000+09:00"},
            "PARAMETER": {"LANG": "J", "STATS_DATA_ID": TABLE, "DATA_FORMAT": "J",
                          "START_POSITION": start}}
    if status == 0:
        body["STATISTICAL_DATA"] = {
            "RESULT_INF": info,
            "TABLE_INF": {"@id": TABLE, "STAT_NAME": {"@code": "00350300", "$": "貿易統計"}},
            "CLASS_INF": classes,
            "DATA_INF": {"NOTE": {"@char": "-", "$": "数値が得られないもの"},
                         "VALUE": values[0] if len(values) == 1 else values}}
    return json.dumps({"GET_STATS_DATA": body}, ensure_ascii=False).encode("utf-8")


def _value(hs, area, amount):
    return {"@tab": "100", "@cat01": hs, "@area": area, "@time": "2025000909",
            "@unit": "千円", "$": amount}


def _client(httpserver, tmp_path=None, retries=0):
    return EStatClient(base_url=httpserver.url_for("/rest/3.0/app/json"), app_id=APP_ID,
                       landing_root=tmp_path, retries=retries, backoff_factor=0)


def test_pages_follow_next_key_and_are_landed(httpserver, tmp_path):
    page1 = [_value("280530000", "105", "1200"), _value("280530000", "304", "35")]
    page2 = [_value("850511000", "105", "-")]
    httpserver.expect_request("/rest/3.0/app/json/getStatsData",
                              query_string={"appId": APP_ID, "statsDataId": TABLE,
                                            "metaGetFlg": "Y", "cntGetFlg": "N",
                                            "sectionHeaderFlg": "1", "cdTime": "2025000909"}
                              ).respond_with_data(_answer(page1, total=3, next_key=3),
                                                  content_type="application/json")
    httpserver.expect_request("/rest/3.0/app/json/getStatsData",
                              query_string={"appId": APP_ID, "statsDataId": TABLE,
                                            "metaGetFlg": "Y", "cntGetFlg": "N",
                                            "sectionHeaderFlg": "1", "cdTime": "2025000909",
                                            "startPosition": "3"}
                              ).respond_with_data(_answer(page2, start=3, total=3),
                                                  content_type="application/json")
    pages = _client(httpserver, tmp_path).stats_data(TABLE, cdTime="2025000909")
    assert [len(p.values) for p in pages] == [2, 1]
    assert pages[1].values[0] == {"tab": "100", "cat01": "850511000", "area": "105",
                                  "time": "2025000909", "unit": "千円", "$": "-"}
    assert pages[0].classes["area"]["304"] == "アメリカ合衆国"
    landed = sorted(p.name for p in (tmp_path / "japan_customs" / "estat" / TABLE).iterdir())
    assert landed == ["cdTime=2025000909_1.json", "cdTime=2025000909_3.json"]
    assert all(APP_ID not in (p.url + str(p.path)) for p in pages)


def test_status_1_is_no_data(httpserver):
    httpserver.expect_request("/rest/3.0/app/json/getStatsData").respond_with_data(
        _answer([], status=1, message="正常に終了しましたが、該当データはありませんでした。"),
        content_type="application/json")
    pages = _client(httpserver).stats_data(TABLE)
    assert [p.values for p in pages] == [[]] and pages[0].status == 1


@pytest.mark.parametrize("body, ctype, status, field, fragment", [
    (_answer([], status=100, message="認証に失敗しました。"), "application/json", 200,
     "RESULT.STATUS", "check ESTAT_APP_ID"),
    (_answer([], status=101, message="パラメータが不正です。"), "application/json", 200,
     "RESULT.STATUS", "STATUS 101"),
    (_answer([_value("280530000", "105", "1")], status=2), "application/json", 200,
     "RESULT.STATUS", "ignored part"),
    (b"<html><body>\xe3\x83\xa1\xe3\x83\xb3\xe3\x83\x86\xe3\x83\x8a\xe3\x83\xb3\xe3\x82\xb9"
     b"</body></html>", "text/html", 200, "body", "HTML page"),
    (_answer([_value("280530000", "105", "1")])[:-40], "application/json", 200, "body",
     "truncated"),
    (b'{"GET_STATS_LIST": {}}', "application/json", 200, "GET_STATS_DATA", "no GET_STATS_DATA"),
    (_answer([_value("999999999", "105", "1")]), "application/json", 200, "DATA_INF.VALUE",
     "not a code"),
    (_answer([_value("280530000", "105", "1")], total=5), "application/json", 200,
     "RESULT_INF.TOTAL_NUMBER", "TOTAL_NUMBER is 5"),
    (b"Service Unavailable", "text/plain", 503, "status", "HTTP 503"),
    (b"Too Many Requests", "text/plain", 429, "status", "HTTP 429"),
])
def test_error_answers_name_request_and_field(httpserver, caplog, body, ctype, status, field,
                                              fragment):
    httpserver.expect_request("/rest/3.0/app/json/getStatsData").respond_with_data(
        body, status=status, content_type=ctype)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SourceError) as info:
        _client(httpserver).stats_data(TABLE)
    message = str(info.value)
    assert info.value.field == field and fragment in message, message
    assert "getStatsData" in message and "appId=***" in message
    # the local server's own access log (werkzeug) sees the key it was sent; ours never do
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug")]
    assert APP_ID not in message and not any(APP_ID in m for m in ours)


@pytest.mark.parametrize("status, verdict", [(429, Verdict.LATER), (503, Verdict.SMALLER),
                                             (403, Verdict.FINAL)])
def test_a_failed_answer_says_whether_asking_again_may_help(httpserver, status, verdict):
    """The shared answer policy: a 429 is for later (it was final here), a 5xx for a smaller or
    later request, a 403 final with the API's own text."""
    httpserver.expect_request("/rest/3.0/app/json/getStatsData").respond_with_data(
        "the API's own words", status=status)
    with pytest.raises(SourceError, match=f"HTTP {status}") as info:
        _client(httpserver).stats_data(TABLE)
    assert info.value.verdict is verdict and "the API's own words" in str(info.value)


@pytest.mark.parametrize("status", [503, 429])
def test_a_5xx_or_429_is_retried_then_answered(httpserver, status):
    answers = iter([Response("busy", status=status),
                    Response(_answer([_value("280530000", "105", "7")]),
                             content_type="application/json")])
    httpserver.expect_request("/rest/3.0/app/json/getStatsData").respond_with_handler(
        lambda request: next(answers))
    pages = _client(httpserver, retries=2).stats_data(TABLE)
    assert pages[0].values[0]["$"] == "7"


def test_no_app_id_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("ESTAT_APP_ID", raising=False)
    with pytest.raises(SourceError, match="ESTAT_APP_ID"):
        EStatClient(base_url="http://127.0.0.1:9").stats_data(TABLE)
