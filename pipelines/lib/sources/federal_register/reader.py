"""Federal Register API answers from a snapshot directory into the warehouse.

Snapshot layout (every file exactly as the API served it)::

    <snapshot>/federal_register/search/<query>_page=<n>.json   documents.json search pages
    <snapshot>/federal_register/documents/<number>.json        documents/<number>.json answers

A search page is ``{"count": N, "description": ..., "total_pages": P, "next_page_url": ...,
"results": [...]}`` (``results`` absent when nothing matches); a document answer is one object.
Dates are ``YYYY-MM-DD`` strings, ``executive_order_number`` a number (or null),
``citation`` like ``90 FR 43535``. The checks here are shared with the client, which refuses to
save an answer that this reader could not load.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from pipelines.lib.errors import SourceError
from pipelines.lib.warehouse.partitions import rebuild_table
from pipelines.lib.warehouse.transactions import cleaning_up

SOURCE = "Federal Register"
FOLDER = "federal_register"
# Keys every single-document answer carries (values may be null); a missing key is a schema
# change. Search results carry the fields the request asked for, at least SEARCH_FIELDS.
DOCUMENT_FIELDS = (
    "document_number", "title", "type", "subtype", "publication_date", "signing_date",
    "effective_on", "executive_order_number", "citation", "html_url", "pdf_url",
)
SEARCH_FIELDS = ("document_number", "title", "type", "publication_date")
NOT_NULL = ("document_number", "title", "type", "publication_date")
DATE_FIELDS = ("publication_date", "signing_date", "effective_on")
NUMBER_FIELDS = ("executive_order_number", "proclamation_number", "start_page")
TEXT_FIELDS = (
    "document_number", "type", "subtype", "title", "signing_date", "publication_date",
    "effective_on", "executive_order_number", "proclamation_number", "citation", "start_page",
    "html_url", "pdf_url", "json_url", "agencies",
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^\d+$")
_DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,30}$")


def search_dir(root: Path) -> Path:
    return root / FOLDER / "search"


def document_path(root: Path, number: str) -> Path:
    return root / FOLDER / "documents" / f"{number}.json"


def parse(body: bytes, where: str) -> Any:
    """The JSON of an answer; an HTML page or broken JSON is a :class:`SourceError`."""
    if body.lstrip()[:1] == b"<":
        raise SourceError(SOURCE, where, "an HTML page, not a JSON answer")
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(SOURCE, where, f"not valid JSON (truncated?): {exc}") from None


def check_record(record: Any, where: str, required: tuple[str, ...], label: str) -> dict:
    """One document object: required keys present, core values set, dates and numbers in the
    API's format. ``label`` names the object in messages (``document``, ``result 3``)."""
    if not isinstance(record, dict):
        raise SourceError(SOURCE, where, f"{label} is {type(record).__name__}, not an object")
    missing = [k for k in required if k not in record]
    if missing:
        raise SourceError(SOURCE, where, f"{label} has no field {missing[0]!r} (schema change?)",
                          field=missing[0])
    for key in NOT_NULL:
        if not isinstance(record.get(key), str) or not record[key].strip():
            raise SourceError(SOURCE, where, f"{label}: {key} is {record.get(key)!r}, expected "
                              "a non-empty string", field=key)
    number = record["document_number"]
    if not _DOCUMENT_NUMBER.match(number):
        raise SourceError(SOURCE, where, f"{label}: document_number {number!r} is not a "
                          "Federal Register document number", field="document_number")
    for key in DATE_FIELDS:
        value = record.get(key)
        if value is not None and not (isinstance(value, str) and _DATE.match(value)
                                      and _valid_date(value)):
            raise SourceError(SOURCE, where, f"{label} ({number}): {key} {value!r} is not a "
                              "YYYY-MM-DD date", field=key)
    for key in NUMBER_FIELDS:
        value = record.get(key)
        if value is None or value == "" or isinstance(value, int) and not isinstance(value, bool):
            continue
        if not (isinstance(value, str) and _NUMBER.match(value)):
            raise SourceError(SOURCE, where, f"{label} ({number}): {key} {value!r} is not a "
                              "number", field=key)
    return record


def check_document(answer: Any, where: str, number: str | None = None) -> dict:
    """A ``documents/<number>.json`` answer; ``number`` is the one requested."""
    record = check_record(answer, where, DOCUMENT_FIELDS, "document")
    if number is not None and record["document_number"] != number:
        raise SourceError(SOURCE, where, f"answer is document {record['document_number']!r}, "
                          f"not the requested {number!r}", field="document_number")
    return record


def check_search_page(answer: Any, where: str) -> list[dict]:
    """A ``documents.json`` search page; returns its results."""
    if not isinstance(answer, dict):
        raise SourceError(SOURCE, where, f"a search answer is {type(answer).__name__}, not an "
                          "object")
    count = answer.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise SourceError(SOURCE, where, f"count is {count!r}, expected a number of documents",
                          field="count")
    results = answer.get("results", [] if count == 0 else None)
    if not isinstance(results, list):
        raise SourceError(SOURCE, where, f"results is {results!r:.80}, expected a list of "
                          f"documents ({count} match)", field="results")
    pages = answer.get("total_pages", 0 if count == 0 else None)
    if not isinstance(pages, int) or isinstance(pages, bool):
        raise SourceError(SOURCE, where, f"total_pages is {pages!r}, expected a number",
                          field="total_pages")
    return [check_record(r, where, SEARCH_FIELDS, f"result {i}") for i, r in enumerate(results)]


def _valid_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _text(value: Any) -> str | None:
    """A value as served, as text: numbers as written, lists and objects as JSON."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def answer_files(root: Path) -> list[Path]:
    """Every search page and document answer of a snapshot, sorted (none without them: the
    source is optional, see ``snapshot.SOURCES``)."""
    return sorted(search_dir(root).glob("*.json")) + sorted(
        (root / FOLDER / "documents").glob("*.json"))


def read_answers(root: Path) -> pl.DataFrame:
    """One row per document object in the snapshot's answers (search results and documents),
    every field as served, with the answer file and its modification time."""
    rows = []
    for path in answer_files(root):
        where = str(path)
        request = str(path.relative_to(root))
        answer = parse(path.read_bytes(), where)
        fetched = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC).replace(tzinfo=None)
        if path.parent.name == "documents":
            records = [check_document(answer, where, path.stem)]
            kind = "document"
        else:
            records = check_search_page(answer, where)
            kind = "search"
        for index, record in enumerate(records):
            row = {key: _text(record.get(key)) for key in TEXT_FIELDS}
            row.update(request=request, answer_kind=kind, result_index=index,
                       record=json.dumps(record, ensure_ascii=False), fetched_at=fetched)
            rows.append(row)
    schema = {"request": pl.Utf8, "answer_kind": pl.Utf8, "result_index": pl.Int32,
              **{key: pl.Utf8 for key in TEXT_FIELDS}, "record": pl.Utf8,
              "fetched_at": pl.Datetime("us")}
    return pl.DataFrame(rows, schema=schema).select(list(schema))


def load_raw(con: duckdb.DuckDBPyConnection, root: Path) -> int:
    """Replace ``raw.federal_register_documents`` by the snapshot's answers (caller's
    transaction)."""
    frame = read_answers(root)
    con.register("_federal_register_answers", frame)
    with cleaning_up(lambda: con.unregister("_federal_register_answers")):
        return rebuild_table(con, "raw/federal_register_documents")


def build_staging(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild ``staging.federal_register_documents`` from the raw answers (caller's
    transaction)."""
    return rebuild_table(con, "staging/federal_register_documents")

