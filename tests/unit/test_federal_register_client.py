"""FederalRegisterClient against a local server answering like the Federal Register API: search
pages with count, total_pages and next_page_url (absent on the last page), single documents, and
its failures (429 with Retry-After, 5xx, HTML pages, 404, truncated bodies)."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from pipelines.lib.errors import SourceError, Verdict
from pipelines.lib.sources.federal_register.client import FederalRegisterClient, Search

PUBLIC = "https://www.federalregister.gov/api/v1"


def doc(number: str, published: str, **fields) -> dict:
    """A document in the API's shape (the fields the client asks for, and more)."""
    eo = fields.pop("eo", None)
    record = {
        "document_number": number, "title": f"Document {number}",
        "type": "Presidential Document", "subtype": "Executive Order" if eo else "Proclamation",
        "abstract": None, "publication_date": published, "signing_date": "2025-09-04",
        "effective_on": None, "executive_order_number": eo, "proclamation_number": None,
        "citation": "90 FR 43535", "start_page": 43535,
        "html_url": f"https://www.federalregister.gov/documents/2025/09/09/{number}/x",
        "pdf_url": f"https://www.govinfo.gov/content/pkg/FR-{published}/pdf/{number}.pdf",
        "json_url": f"{PUBLIC}/documents/{number}.json",
        "agencies": [{"name": "Executive Office of the President", "id": 538,
                      "slug": "executive-office-of-the-president"}],
        "page_views": {"count": 1234, "last_updated": "2026-01-01T00:00:00.000-05:00"},
    }
    record.update(fields)
    return record


DOCS = [doc(f"2025-1{n:04d}", f"2025-09-{n + 1:02d}", eo=14300 + n) for n in range(7)]


def compact(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def json_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type="application/json; charset=utf-8")


class Api:
    """``/api/v1/documents.json`` (paged search over DOCS) and ``/api/v1/documents/<n>.json``."""

    def __init__(self):
        self.calls: list[Request] = []
        self.before: list = []  # handlers answering the first requests, in turn

    def __call__(self, request: Request) -> Response:
        self.calls.append(request)
        if self.before:
            return self.before.pop(0)(request)
        if request.path.endswith("/documents.json"):
            return json_response(self.page(request))
        number = request.path.rsplit("/", 1)[1].removesuffix(".json")
        found = [d for d in DOCS if d["document_number"] == number]
        if not found:
            return json_response(b'{"status":404,"message":"Record not found"}', 404)
        return json_response(compact(found[0]))

    @staticmethod
    def page(request: Request) -> bytes:
        args = request.args
        assert args.getlist("conditions[type][]") == ["PRESDOCU"]
        assert "executive_order_number" in args.getlist("fields[]")
        per_page, page = int(args["per_page"]), int(args["page"])
        since = args.get("conditions[publication_date][gte]", "0000")
        matches = [d for d in DOCS if d["publication_date"] >= since]
        fields = args.getlist("fields[]")
        pages = -(-len(matches) // per_page)
        answer = {"count": len(matches), "description": "Documents matching 'Japan'",
                  "total_pages": pages}
        if page < pages:
            answer["next_page_url"] = f"{PUBLIC}/documents.json?page={page + 1}"
        answer["results"] = [{k: d.get(k) for k in fields}
                             for d in matches[(page - 1) * per_page: page * per_page]]
        return compact(answer)


@pytest.fixture
def api(httpserver: HTTPServer) -> Api:
    handler = Api()
    httpserver.expect_request(re.compile(r"^/api/v1/.*")).respond_with_handler(handler)
    return handler


@pytest.fixture
def client(httpserver: HTTPServer, tmp_path: Path) -> FederalRegisterClient:
    return FederalRegisterClient(base_url=httpserver.url_for("/api/v1"), retries=3,
                                 backoff_factor=0, timeout=5, landing_root=tmp_path / "landing")


SEARCH = Search(term="Japan", types=("PRESDOCU",), published_from=date(2025, 9, 2), per_page=2)


def landing(tmp_path: Path, *parts: str) -> Path:
    return tmp_path.joinpath("landing", "federal_register", *parts)


def test_search_reads_every_page_and_saves_them_unchanged(client, api, tmp_path):
    results = client.search(SEARCH)
    assert [r["document_number"] for r in results] == [d["document_number"] for d in DOCS[1:]]
    pages = [r for r in api.calls if r.path.endswith("documents.json")]
    assert [int(r.args["page"]) for r in pages] == [1, 2, 3]
    assert all(r.args["conditions[term]"] == "Japan" for r in pages)
    saved = sorted(landing(tmp_path, "search").iterdir())
    assert [p.name for p in saved] == [f"term=Japan_type=PRESDOCU_from=2025-09-02_page={n}.json"
                                       for n in (1, 2, 3)]
    assert saved[0].read_bytes() == Api.page(pages[0])
    assert "next_page_url" not in json.loads(saved[-1].read_bytes())


def test_a_shorter_new_answer_removes_the_stale_pages(client, api, tmp_path):
    client.search(SEARCH)
    client.search(Search(term="Japan", types=("PRESDOCU",), published_from=date(2025, 9, 6),
                         per_page=2))
    client.search(dataclasses.replace(SEARCH, per_page=10))
    names = sorted(p.name for p in landing(tmp_path, "search").iterdir())
    assert names == ["term=Japan_type=PRESDOCU_from=2025-09-02_page=1.json",
                     "term=Japan_type=PRESDOCU_from=2025-09-06_page=1.json"]


def test_no_match_is_an_empty_result(client, api, tmp_path):
    api.before = [lambda r: json_response(b'{"count":0,"description":"none"}')]
    assert client.search(SEARCH) == []
    assert json.loads(next(landing(tmp_path, "search").iterdir()).read_bytes())["count"] == 0


def test_document_is_checked_and_saved_unchanged(client, api, tmp_path):
    record = client.document("2025-10003")
    assert record["executive_order_number"] == 14303
    assert landing(tmp_path, "documents", "2025-10003.json").read_bytes() == compact(DOCS[3])


def test_429_is_retried_after_the_time_the_server_asks(client, api):
    api.before = [lambda r: Response("Too Many Requests", status=429,
                                     headers={"Retry-After": "1"})]
    started = time.monotonic()
    assert client.document("2025-10001")["document_number"] == "2025-10001"
    assert time.monotonic() - started >= 0.9 and len(api.calls) == 2


def test_5xx_after_retries_is_a_transient_error(client, api):
    api.before = [lambda r: Response("busy", status=503)] * 4
    with pytest.raises(SourceError) as caught:
        client.document("2025-10001")
    assert caught.value.verdict is Verdict.SMALLER and caught.value.field == "status"
    assert "HTTP 503 after retries" in str(caught.value) and len(api.calls) == 4


def test_a_429_after_retries_is_for_later(client, api):
    """A rate limit that outlasts the retries: for a later run, never a smaller request."""
    api.before = [lambda r: Response("Too Many Requests", status=429)] * 4
    with pytest.raises(SourceError, match=r"HTTP 429 \(rate limited\) after retries") as caught:
        client.document("2025-10001")
    assert caught.value.verdict is Verdict.LATER and len(api.calls) == 4


def test_a_maintenance_page_with_a_5xx_is_retried_like_any_5xx(client, api):
    """An HTML page is not a final answer when its status says the server is failing: it is
    retried, and after the retries it is a server error, not a wrong endpoint."""
    page = Response("<!DOCTYPE html><html><body>Maintenance</body></html>", status=502,
                    content_type="text/html")
    api.before = [lambda r: page] * 4
    with pytest.raises(SourceError, match="HTTP 502 after retries: an HTML page") as caught:
        client.document("2025-10001")
    assert caught.value.verdict is Verdict.SMALLER and len(api.calls) == 4


def test_an_html_page_is_refused_and_nothing_saved(client, api, tmp_path):
    api.before = [lambda r: Response("<!DOCTYPE html><html><body>Maintenance</body></html>",
                                     status=200, content_type="text/html")]
    with pytest.raises(SourceError) as caught:
        client.search(SEARCH)
    message = str(caught.value)
    assert message.startswith("Federal Register:") and "HTML page" in message
    assert "documents.json?conditions" in message
    assert not landing(tmp_path).exists()


def test_a_truncated_page_is_refused_and_no_page_of_the_search_saved(client, api, tmp_path):
    api.before = [lambda r: json_response(Api.page(r)),
                  lambda r: json_response(Api.page(r)[:-25])]
    with pytest.raises(SourceError) as caught:
        client.search(SEARCH)
    assert "not valid JSON (truncated?)" in str(caught.value) and "page=2" in str(caught.value)
    assert caught.value.field == "body"
    assert not landing(tmp_path).exists()


def test_a_body_shorter_than_its_content_length_is_an_error(client, api):
    def cut(request: Request) -> Response:
        body = compact(DOCS[1])
        response = Response(body[:40], content_type="application/json")
        response.headers["Content-Length"] = str(len(body))
        response.automatically_set_content_length = False
        return response

    api.before = [cut] * 4
    with pytest.raises(SourceError) as caught:
        client.document("2025-10001")
    assert "2025-10001" in str(caught.value)


def test_an_unknown_document_names_the_field(client, api, tmp_path):
    with pytest.raises(SourceError) as caught:
        client.document("2025-99999")
    assert caught.value.field == "document_number" and "HTTP 404" in str(caught.value)
    assert not landing(tmp_path).exists()


def test_the_wrong_document_is_refused(client, api):
    api.before = [lambda r: json_response(compact(DOCS[2]))]
    with pytest.raises(SourceError, match="not the requested '2025-10001'"):
        client.document("2025-10001")


@pytest.mark.parametrize(("change", "field"), [
    ({"publication_date": "09/09/2025"}, "publication_date"),
    ({"executive_order_number": "EO 14345"}, "executive_order_number"),
    ({"title": None}, "title"),
])
def test_a_malformed_document_names_the_field(client, api, change, field):
    api.before = [lambda r: json_response(compact({**DOCS[1], **change}))]
    with pytest.raises(SourceError) as caught:
        client.document("2025-10001")
    assert caught.value.field == field and "/documents/2025-10001.json" in str(caught.value)


def test_a_schema_change_in_a_document_is_refused(client, api):
    api.before = [lambda r: json_response(compact(
        {k: v for k, v in DOCS[1].items() if k != "signing_date"}))]
    with pytest.raises(SourceError, match="no field 'signing_date'"):
        client.document("2025-10001")


def test_a_redirect_is_not_followed(client, api):
    api.before = [lambda r: Response("", status=302, headers={"Location": "/login"})]
    with pytest.raises(SourceError, match="redirect"):
        client.document("2025-10001")
    assert len(api.calls) == 1
