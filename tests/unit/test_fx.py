"""The FRED reader and client: the real DEXJPUS file, monthly means, malformed answers."""

from datetime import date

import pytest

from pipelines.lib.errors import SourceError, Verdict
from pipelines.lib.sources.fred.client import FredClient
from pipelines.lib.sources.fred.reader import monthly_means, parse_series, read_series


@pytest.fixture(scope="module")
def real_quotes(shared_data):
    return read_series(shared_data / "fx" / "DEXJPUS.csv", "DEXJPUS")


def test_real_file_monthly_mean_matches_fred_exjpus(real_quotes):
    months = monthly_means(real_quotes, "DEXJPUS", "JPY", 15, date(2023, 1, 1), "DEXJPUS.csv")
    jan = months.filter(months["period"] == date(2024, 1, 1)).row(0, named=True)
    assert round(jan["per_usd"], 2) == 146.29  # FRED's EXJPUS for January 2024
    assert jan["days"] == 21
    # the file ends on Friday 2026-02-20: February is still being published, January is not
    assert months["period"].max() == date(2026, 1, 1)


def test_real_file_august_1971_has_too_few_quotes(real_quotes):
    # markets closed after the end of convertibility: 11 quotes, never interpolated
    with pytest.raises(SourceError, match=r"1971-08 has 11 daily quotes") as info:
        monthly_means(real_quotes, "DEXJPUS", "JPY", 15, date(1971, 1, 1), "DEXJPUS.csv")
    assert info.value.field == "DEXJPUS" and "DEXJPUS.csv" in str(info.value)


@pytest.mark.parametrize("body, line, field", [
    (b"DATE,DEXUSEU\n2024-01-02,1.1\n", "line 1", "header"),
    (b"observation_date,DEXJPUS\n2024-01-02,abc\n", "line 2", "DEXJPUS"),
    (b"observation_date,DEXJPUS\n2024-01-02,141.2\n2024-01-02,141.3\n", "line 3",
     "observation_date"),
    (b"observation_date,DEXJPUS\n2024-02-30,141.2\n", "line 2", "observation_date"),
    (b"observation_date,DEXJPUS\n2024-01-02,141.2,7\n", "line 2", "observation_date"),
])
def test_malformed_lines_name_line_and_field(body, line, field):
    with pytest.raises(SourceError) as info:
        parse_series(body, "DEXJPUS", where="fx/DEXJPUS.csv")
    assert line in str(info.value) and info.value.field == field
    assert "fx/DEXJPUS.csv" in str(info.value)


def test_a_missing_quote_is_null_and_not_counted():
    quotes = parse_series(b"observation_date,DEXJPUS\n2024-01-01,.\n2024-01-02,141.00\n"
                          b"2024-01-03,143.00\n2024-01-31,142.00\n", "DEXJPUS", where="x")
    months = monthly_means(quotes, "DEXJPUS", "JPY", 3, date(2024, 1, 1), "x")
    assert months.row(0, named=True)["per_usd"] == pytest.approx(142.0)
    assert months.row(0, named=True)["days"] == 3


CSV = b"observation_date,DEXJPUS\n2024-01-02,141.00\n2024-01-03,.\n"


def test_client_saves_the_answer_unchanged(httpserver, tmp_path):
    httpserver.expect_request("/fredgraph.csv", query_string="id=DEXJPUS").respond_with_data(
        CSV, content_type="text/csv")
    client = FredClient(base_url=httpserver.url_for("/fredgraph.csv"), landing_root=tmp_path,
                        retries=0)
    assert client.download("DEXJPUS") == CSV
    assert (tmp_path / "fx" / "DEXJPUS.csv").read_bytes() == CSV


@pytest.mark.parametrize("status, body, ctype, fragment", [
    (200, b"<!DOCTYPE html><html>maintenance</html>", "text/html", "HTML page"),
    (404, b"Not found", "text/plain", "no series"),
    (503, b"busy", "text/plain", "HTTP 503"),
    (200, b"observation_date,DEXJPUS\n2024-01-02,1x4\n", "text/csv", "line 2"),
])
def test_client_refuses_bad_answers_and_keeps_the_landed_file(httpserver, tmp_path, status,
                                                              body, ctype, fragment):
    landed = tmp_path / "fx" / "DEXJPUS.csv"
    landed.parent.mkdir()
    landed.write_bytes(CSV)
    httpserver.expect_request("/fredgraph.csv").respond_with_data(body, status=status,
                                                                 content_type=ctype)
    client = FredClient(base_url=httpserver.url_for("/fredgraph.csv"), landing_root=tmp_path,
                        retries=0)
    with pytest.raises(SourceError, match=fragment) as info:
        client.download("DEXJPUS")
    assert landed.read_bytes() == CSV
    # the shared answer policy: a 5xx may pass later or smaller (it was final here)
    assert info.value.verdict is (Verdict.SMALLER if status == 503 else Verdict.FINAL)
