"""The sample's Federal Register API answers: ``documents/<number>.json`` for each document of
the scenario and the pages of one ``documents.json`` search, compact JSON as the API serves it.

Full document answers carry the API's whole field set; search results only the requested
``fields[]`` (the client's :data:`~pipelines.lib.sources.federal_register.client.FIELDS`), and
the last page has no ``next_page_url``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from pipelines.lib.sources.federal_register.client import DEFAULT_BASE_URL, FIELDS, Search
from pipelines.sample.common import date_of

if TYPE_CHECKING:
    from pipelines.sample.generate import SnapshotWriter

SITE = "https://www.federalregister.gov"
TYPES = {"PRESDOCU": "Presidential Document", "NOTICE": "Notice", "RULE": "Rule",
         "PRORULE": "Proposed Rule"}


def _compact(value) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:100]


def _agency(spec: dict, scenario: dict) -> dict:
    agency = scenario["federal_register"]["agencies"][spec["agency"]]
    return {"raw_name": agency["raw_name"], "name": agency["name"], "id": agency["id"],
            "url": f"{SITE}/agencies/{agency['slug']}",
            "json_url": f"{DEFAULT_BASE_URL}/agencies/{agency['id']}",
            "parent_id": agency["parent_id"], "slug": agency["slug"]}


def document(spec: dict, scenario: dict) -> dict:
    """The full ``documents/<number>.json`` answer for one scenario document."""
    number = spec["number"]
    published = date_of(spec["published"])
    day = published.strftime("%Y/%m/%d")
    citation = spec.get("citation")
    start = int(citation.split()[-1]) if citation else None
    presidential = spec.get("type", "Presidential Document") == "Presidential Document"
    eo, proclamation = spec.get("eo"), spec.get("proclamation")
    agency = _agency(spec, scenario)
    return {
        "abstract": None,
        "action": None if presidential else "Notice.",
        "agencies": [agency],
        "agency_names": [agency["name"]],
        "body_html_url": f"{SITE}/documents/full_text/html/{day}/{number}.html",
        "cfr_references": [],
        "citation": citation,
        "comment_url": None,
        "comments_close_on": None,
        "correction_of": None,
        "corrections": [],
        "dates": None,
        "disposition_notes": None,
        "docket_id": None,
        "docket_ids": [],
        "dockets": [],
        "document_number": number,
        "effective_on": str(date_of(spec["effective"])) if spec.get("effective") else None,
        "end_page": start + spec["pages"] - 1 if start else None,
        "excerpts": None,
        "executive_order_notes": None,
        "executive_order_number": eo,
        "explanation": None,
        "full_text_xml_url": f"{SITE}/documents/full_text/xml/{day}/{number}.xml",
        "html_url": f"{SITE}/documents/{day}/{number}/{_slug(spec['title'])}",
        "images": {},
        "json_url": f"{DEFAULT_BASE_URL}/documents/{number}.json",
        "mods_url": f"https://www.govinfo.gov/metadata/granule/FR-{published}/{number}/mods.xml",
        "page_length": spec["pages"],
        "pdf_url": f"https://www.govinfo.gov/content/pkg/FR-{published}/pdf/{number}.pdf",
        "president": scenario["federal_register"]["president"] if presidential else None,
        "presidential_document_number": str(eo or proclamation) if eo or proclamation else None,
        "proclamation_number": str(proclamation) if proclamation else None,
        "public_inspection_pdf_url": f"https://public-inspection.federalregister.gov/{number}.pdf",
        "publication_date": str(published),
        "raw_text_url": f"{SITE}/documents/full_text/text/{day}/{number}.txt",
        "regulation_id_number_info": {},
        "regulation_id_numbers": [],
        "significant": None,
        "signing_date": str(date_of(spec["signed"])) if spec.get("signed") else None,
        "start_page": start,
        "subtype": spec.get("subtype"),
        "title": spec["title"],
        "toc_doc": None,
        "toc_subject": None,
        "topics": [],
        "type": spec.get("type", "Presidential Document"),
        "volume": published.year - 1935,
    }


def write(writer: SnapshotWriter, scenario: dict) -> dict:
    """``federal_register/documents/<number>.json`` and the search's pages."""
    config = scenario["federal_register"]
    documents = {spec["number"]: document(spec, scenario) for spec in config["documents"]}
    for number, answer in sorted(documents.items()):
        writer.write(f"federal_register/documents/{number}.json", _compact(answer))
    spec = config["search"]
    search = Search(term=spec["term"], types=(spec["type"],),
                    published_from=date_of(spec["from"]), per_page=int(spec["per_page"]))
    matches = sorted((d for d in config["documents"] if d.get("japan")),
                     key=lambda d: (date_of(d["published"]), d["number"]))
    results = [{k: documents[d["number"]].get(k) for k in FIELDS} for d in matches]
    pages = max(1, -(-len(results) // search.per_page))
    description = (f"Documents matching '{search.term}' and of type "
                   f"{TYPES[spec['type']]} and published on or after "
                   f"{search.published_from:%m/%d/%Y}")
    for page in range(1, pages + 1):
        answer = {"count": len(results), "description": description, "total_pages": pages}
        if page < pages:
            answer["next_page_url"] = (f"{DEFAULT_BASE_URL}/documents.json?"
                                       f"{urlencode(search.query(page + 1))}")
        answer["results"] = results[(page - 1) * search.per_page: page * search.per_page]
        writer.write(f"federal_register/search/{search.name()}_page={page}.json",
                     _compact(answer))
    return {"federal_register_documents": len(documents), "federal_register_search_pages": pages}
