"""HtsClient against a local HTTP server answering in USITC's real shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from pipelines.lib.errors import SourceError, Verdict
from pipelines.lib.sources.hts.client import HtsClient

RELEASES = [
    {
        "name": "2025HTSRev23",
        "description": "2025 HTS Revision 23",
        "releaseStartDate": "09/16/2025",
        "status": "RELEASED",
    },
    {
        "name": "2025HTSBasic",
        "description": "2025 HTS Basic Edition",
        "releaseStartDate": "01/01/2025",
        "status": "RELEASED",
    },
]
RECORD = {
    "htsno": "0101.21.00",
    "indent": "2",
    "description": "Purebred breeding animals",
    "superior": None,
    "units": [],
    "general": "Free",
    "special": "",
    "other": "Free",
    "footnotes": [],
    "quotaQuantity": "",
    "additionalDuties": "",
    "addiitionalDuties": None,
}
REV23_PATH = "/files/hts_2025_revision_23_json.json"


def usitc_json(value: object) -> bytes:
    """USITC's own formatting: Jackson's pretty printer (``"key" : value``)."""
    return json.dumps(value, indent=2, separators=(",", " : ")).encode()


def release_body(records: int = 4000, **overrides) -> bytes:
    first = {**RECORD, **overrides}
    first = {k: v for k, v in first.items() if v is not ...}
    return usitc_json([first] + [RECORD] * (records - 1))


@pytest.fixture
def client(httpserver: HTTPServer, tmp_path: Path) -> HtsClient:
    return HtsClient(
        reststop_url=httpserver.url_for("/reststop"),
        files_url=httpserver.url_for("/files"),
        retries=3,
        backoff_factor=0,
        timeout=5,
        landing_root=tmp_path / "landing",
    )


def hts_dir(tmp_path: Path) -> Path:
    return tmp_path / "landing" / "hts"


def test_release_list_ok_saved_unchanged(client, httpserver, tmp_path):
    body = usitc_json(RELEASES)
    httpserver.expect_request("/reststop/releaseList").respond_with_data(
        body, content_type="application/json"
    )
    assert client.release_list() == RELEASES
    assert (hts_dir(tmp_path) / "releaseList.json").read_bytes() == body


def test_release_list_missing_release_start_date(client, httpserver, tmp_path):
    bad = [RELEASES[0], {k: v for k, v in RELEASES[1].items() if k != "releaseStartDate"}]
    httpserver.expect_request("/reststop/releaseList").respond_with_json(bad)
    with pytest.raises(SourceError) as caught:
        client.release_list()
    message = str(caught.value)
    assert message.startswith("USITC HTS:")
    assert "releaseStartDate" in message and "item 1" in message and "2025HTSBasic" in message
    assert "/reststop/releaseList" in message
    assert caught.value.field == "releaseStartDate"
    assert not (hts_dir(tmp_path) / "releaseList.json").exists()


def test_release_list_not_a_list(client, httpserver):
    httpserver.expect_request("/reststop/releaseList").respond_with_json({"releases": RELEASES})
    with pytest.raises(SourceError, match="expected an array"):
        client.release_list()


def test_release_file_urls(client, httpserver):
    files = httpserver.url_for("/files")
    assert client.release_file_url("2025HTSRev23") == f"{files}/hts_2025_revision_23_json.json"
    assert client.release_file_url("2026HTSBasic") == f"{files}/hts_2026_basic_edition_json.json"
    with pytest.raises(SourceError, match="'2025HTSDraft'"):
        client.release_file_url("2025HTSDraft")


def test_download_ok_saved_unchanged(client, httpserver, tmp_path):
    body = release_body()
    assert len(body) > 1_000_000  # several stream chunks
    httpserver.expect_request(REV23_PATH).respond_with_data(body, content_type="application/json")
    path = client.download_release("2025HTSRev23")
    assert path == hts_dir(tmp_path) / "2025HTSRev23.json"
    assert path.read_bytes() == body
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left


def test_download_html_page(client, httpserver, tmp_path):
    httpserver.expect_request(REV23_PATH).respond_with_data(
        "<!DOCTYPE html><html><body>Page not found</body></html>", content_type="text/html"
    )
    with pytest.raises(SourceError) as caught:
        client.download_release("2025HTSRev23")
    assert "HTML page" in str(caught.value) and "hts_2025_revision_23_json.json" in str(
        caught.value
    )
    assert not hts_dir(tmp_path).exists() or not any(hts_dir(tmp_path).iterdir())


def test_download_html_404(client, httpserver, tmp_path):
    httpserver.expect_request(REV23_PATH).respond_with_data(
        "<html><body>Page not found</body></html>", status=404, content_type="text/html"
    )
    with pytest.raises(SourceError, match="HTML page \\(HTTP 404\\).*not be published yet"):
        client.download_release("2025HTSRev23")


def test_download_missing_field(client, httpserver, tmp_path):
    httpserver.expect_request(REV23_PATH).respond_with_data(
        release_body(records=3, footnotes=...), content_type="application/json"
    )
    with pytest.raises(SourceError) as caught:
        client.download_release("2025HTSRev23")
    message = str(caught.value)
    assert "footnotes" in message and "hts_2025_revision_23_json.json" in message
    assert caught.value.field == "footnotes"
    assert not any(hts_dir(tmp_path).iterdir())


def test_failed_download_keeps_the_previous_file(client, httpserver, tmp_path):
    previous = hts_dir(tmp_path) / "2025HTSRev23.json"
    previous.parent.mkdir(parents=True)
    previous.write_bytes(b"[]")
    httpserver.expect_request(REV23_PATH).respond_with_data(
        release_body(records=3)[:-30], content_type="application/json"
    )
    with pytest.raises(SourceError, match="not valid JSON"):
        client.download_release("2025HTSRev23")
    assert [p.name for p in previous.parent.iterdir()] == [previous.name]
    assert previous.read_bytes() == b"[]"


def test_download_500_then_success(client, httpserver, tmp_path):
    body = release_body(records=10)
    httpserver.expect_ordered_request(REV23_PATH).respond_with_data("oops", status=500)
    httpserver.expect_ordered_request(REV23_PATH).respond_with_data(
        body, content_type="application/json"
    )
    path = client.download_release("2025HTSRev23")
    assert path.read_bytes() == body
    assert len(httpserver.log) == 2


def test_download_persistent_500(client, httpserver, tmp_path):
    httpserver.expect_request(REV23_PATH).respond_with_data("oops", status=503)
    with pytest.raises(SourceError, match="HTTP 503 after retries") as caught:
        client.download_release("2025HTSRev23")
    assert caught.value.verdict is Verdict.SMALLER
    assert len(httpserver.log) == 4
    assert not any(hts_dir(tmp_path).iterdir())


def test_a_rate_limit_on_the_release_list_is_for_later(client, httpserver):
    httpserver.expect_request("/reststop/releaseList").respond_with_data("slow down",
                                                                          status=429)
    with pytest.raises(SourceError, match=r"HTTP 429 \(rate limited\) after retries") as caught:
        client.release_list()
    assert caught.value.verdict is Verdict.LATER and len(httpserver.log) == 4


def test_current_release(client, httpserver):
    httpserver.expect_request("/reststop/currentRelease").respond_with_json(
        {"name": "2025HTSRev23", "description": "2025 HTS Revision 23"}
    )
    assert client.current_release() == "2025HTSRev23"


def test_download_needs_a_destination(httpserver):
    bare = HtsClient(files_url=httpserver.url_for("/files"), backoff_factor=0)
    with pytest.raises(ValueError, match="landing_root"):
        bare.download_release("2025HTSRev23")
