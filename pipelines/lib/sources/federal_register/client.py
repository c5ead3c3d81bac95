"""Client for the Federal Register API (``https://www.federalregister.gov/api/v1``; no key).

- :meth:`FederalRegisterClient.search`: ``GET /documents.json`` with
  ``conditions[term]``, ``conditions[type][]``, ``conditions[publication_date][gte|lte]``,
  ``fields[]``, ``per_page`` and ``page``, pages 1 to the first page's ``total_pages`` (built
  from our own base URL rather than following ``next_page_url``, which names the public host).
- :meth:`FederalRegisterClient.document`: ``GET /documents/<number>.json``.

Every answer is checked with the reader's rules and saved unchanged under the snapshot layout of
:mod:`pipelines.lib.sources.federal_register.reader`, so runs replay offline. A search is saved
only when all its pages arrived and passed (stale pages of an earlier, longer answer are
removed). Retries (429, 5xx, timeouts; ``Retry-After`` honoured) come from
:mod:`pipelines.lib.sources.http`; an HTML page, a redirect, a 404 or a truncated or malformed
body is a :class:`SourceError` naming the request and the field.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests

from pipelines.lib.errors import SourceError
from pipelines.lib.settings import BASE_URLS
from pipelines.lib.sources import http
from pipelines.lib.sources.federal_register.reader import (
    SOURCE,
    check_document,
    check_search_page,
    document_path,
    parse,
    search_dir,
)

LOGGER = logging.getLogger("pipelines.http")
DEFAULT_BASE_URL = BASE_URLS["TARIFF_AUDIT_FEDERAL_REGISTER_URL"]
# The fields the staging table reads; the API's default set lacks dates and numbers.
FIELDS = (
    "document_number", "title", "type", "subtype", "abstract", "publication_date",
    "signing_date", "effective_on", "executive_order_number", "proclamation_number", "citation",
    "start_page", "html_url", "pdf_url", "json_url", "agencies",
)
MAX_PAGES = 100  # 100 pages of 1000: far beyond any query this project makes
_SLUG = re.compile(r"[^A-Za-z0-9.=-]+")


@dataclass(frozen=True)
class Search:
    """A documents search: full-text ``term``, document ``types`` (PRESDOCU, RULE, PRORULE,
    NOTICE) and a publication date range."""

    term: str | None = None
    types: tuple[str, ...] = ()
    published_from: date | None = None
    published_to: date | None = None
    per_page: int = 100

    def query(self, page: int) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        if self.term:
            params.append(("conditions[term]", self.term))
        params += [("conditions[type][]", t) for t in self.types]
        if self.published_from:
            params.append(("conditions[publication_date][gte]", self.published_from.isoformat()))
        if self.published_to:
            params.append(("conditions[publication_date][lte]", self.published_to.isoformat()))
        params += [("fields[]", f) for f in FIELDS]
        params += [("order", "oldest"), ("per_page", str(self.per_page)), ("page", str(page))]
        return params

    def name(self) -> str:
        """The file name stem of the search's pages, e.g.
        ``term=Japan_type=PRESDOCU_from=2025-07-01``."""
        parts = [f"term={self.term}" if self.term else "term=all"]
        parts += [f"type={t}" for t in self.types]
        if self.published_from:
            parts.append(f"from={self.published_from.isoformat()}")
        if self.published_to:
            parts.append(f"to={self.published_to.isoformat()}")
        return "_".join(_SLUG.sub("-", part) for part in parts)


class FederalRegisterClient:
    """Searches and fetches Federal Register documents, saving every answer unchanged."""

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | tuple[float, float] = (10.0, 60.0),
        retries: int = 4,
        backoff_factor: float = 1.0,
        landing_root: Path | None = None,
        session: requests.Session | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.landing_root = Path(landing_root) if landing_root is not None else None
        self.session = session or http.make_session(retries=retries, backoff_factor=backoff_factor)

    def search(self, search: Search) -> list[dict[str, Any]]:
        """Every result of ``search`` (all pages); the pages are saved when a landing root is
        set, as ``federal_register/search/<name>_page=<n>.json``."""
        bodies: list[bytes] = []
        results: list[dict[str, Any]] = []
        page, total_pages = 1, 1
        while page <= total_pages:
            url = f"{self.base_url}/documents.json?{urlencode(search.query(page))}"
            body = self._get(url, "search page")
            answer = parse(body, url)
            found = check_search_page(answer, url)
            if page == 1:
                total_pages = answer.get("total_pages", 0) or 0
                if total_pages > MAX_PAGES:
                    raise SourceError(SOURCE, url, f"{answer['count']} documents in "
                                      f"{total_pages} pages: narrow the search (at most "
                                      f"{MAX_PAGES} pages)", field="total_pages")
            elif not found:
                raise SourceError(SOURCE, url, f"page {page} of {total_pages} has no results",
                                  field="results")
            bodies.append(body)
            results += found
            page += 1
        if self.landing_root is not None:
            self._save_pages(search.name(), bodies)
        LOGGER.info("%s: %d documents for %s in %d page(s)", SOURCE, len(results),
                    search.name(), len(bodies))
        return results

    def document(self, number: str) -> dict[str, Any]:
        """The document ``number`` (e.g. ``2025-17389``), saved as
        ``federal_register/documents/<number>.json`` when a landing root is set."""
        url = f"{self.base_url}/documents/{number}.json"
        body = self._get(url, f"document {number}", not_found_field="document_number")
        record = check_document(parse(body, url), url, number)
        if self.landing_root is not None:
            http.write_atomic(document_path(self.landing_root, number), body)
        return record

    # ------------------------------------------------------------------ helpers

    def _save_pages(self, name: str, bodies: list[bytes]) -> None:
        folder = search_dir(self.landing_root)
        for n, body in enumerate(bodies, start=1):
            http.write_atomic(folder / f"{name}_page={n}.json", body)
        for stale in folder.glob(f"{name}_page=*.json"):
            if int(stale.stem.rsplit("=", 1)[1]) > len(bodies):
                stale.unlink()

    def _get(self, url: str, what: str, not_found_field: str = "status") -> bytes:
        response = http.get(self.session, url, source=SOURCE, timeout=self.timeout)
        body = response.content
        http.check_answer(response, body, source=SOURCE, request=url, expected=http.Expected(
            what=f"the {what}", not_found=f"no such {what}", not_found_field=not_found_field))
        return body
