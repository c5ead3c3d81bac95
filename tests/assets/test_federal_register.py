"""The Federal Register assets from the sample: documents loaded, the ledger matched to them, a
disagreement listed and failing its contract, bad answers refused without changing anything,
and live mode against a local server answering like the API."""

import json
import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from werkzeug import Request, Response

from pipelines.defs.resources import SourceResource, WarehouseResource
from pipelines.stages import FEDERAL_REGISTER, LEDGER, run_assets
from tests.assets.conftest import Case

DOCUMENT = "federal_register/documents/2025-17389.json"      # EO 14345, verified
UNVERIFIED = "federal_register/documents/2025-19482.json"    # Proclamation 10976, unverified


@pytest.fixture(scope="module")
def base(sample_snapshot: Path, tmp_path_factory):
    path = tmp_path_factory.mktemp("fr") / "warehouse.duckdb"
    resources = {"source": SourceResource(source=str(sample_snapshot)),
                 "warehouse": WarehouseResource(database=str(path))}
    instance = dg.DagsterInstance.ephemeral()
    for selection in (LEDGER, FEDERAL_REGISTER):
        assert run_assets(instance, selection, None, resources).success
    return path


@pytest.fixture
def case(sample_snapshot, base, tmp_path) -> Case:
    return Case(sample_snapshot, base, [], tmp_path)


def _query(path, sql):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _checks(result, name):
    return [e.asset_check_evaluation_data for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION"
            and e.asset_check_evaluation_data.check_name == name]


def test_the_sample_documents_match_the_ledger(base):
    assert _query(base, "SELECT count(*), count(DISTINCT request) FROM "
                        "raw.federal_register_documents WHERE answer_kind = 'search'") == [(5, 3)]
    staged = dict(_query(base, "SELECT document_number, answer_kind FROM "
                               "staging.federal_register_documents"))
    with_numbers = [n for (n,) in _query(base, "SELECT fr_doc FROM staging.ledger_instruments "
                                               "WHERE fr_doc IS NOT NULL")]
    assert set(with_numbers) <= set(staged) and set(staged.values()) == {"document"}
    assert _query(base, "SELECT executive_order_number, citation, signing_date::VARCHAR, "
                        "agencies FROM staging.federal_register_documents "
                        "WHERE document_number = '2025-17389'") == [
        (14345, "90 FR 43535", "2025-09-04", "Executive Office of the President")]
    assert _query(base, "SELECT count(*) FROM marts.ledger_discrepancies") == [(0,)]


def _retimed(case: Case, relative: str, **changes) -> None:
    answer = json.loads(case.read(relative))
    answer.update(changes)
    case.write(relative, json.dumps(answer, separators=(",", ":")).encode())


def test_a_date_disagreeing_with_the_federal_register_is_listed_and_fails(case):
    _retimed(case, DOCUMENT, publication_date="2025-09-10")
    result = case.run(FEDERAL_REGISTER)
    assert not result.success
    failure = " ".join(e.step_failure_data.error.to_string()
                       for e in result.all_events if e.is_step_failure)
    assert "verified_instruments_agree_with_federal_register" in failure
    assert "eo-14345-japan" in failure
    (check,) = _checks(result, "verified_instruments_agree_with_federal_register")
    assert not check.passed
    rows = _query(case.warehouse, "SELECT instrument_id, field, ledger_value, "
                                  "federal_register_value, severity FROM "
                                  "marts.ledger_discrepancies")
    assert rows == [("eo-14345-japan", "published_on", "2025-09-09", "2025-09-10", "error")]
    # the ledger itself is never overwritten
    assert _query(case.warehouse, "SELECT published_on::VARCHAR FROM staging.ledger_instruments "
                                  "WHERE id = 'eo-14345-japan'") == [("2025-09-09",)]


def test_an_unverified_instrument_disagreeing_is_a_warning(case):
    _retimed(case, UNVERIFIED, proclamation_number="10977", signing_date="2025-09-30")
    result = case.run(FEDERAL_REGISTER)
    assert result.success
    (check,) = _checks(result, "unverified_instruments_agree_with_federal_register")
    assert not check.passed
    assert sorted(_query(case.warehouse, "SELECT field, ledger_value, federal_register_value, "
                                         "severity FROM marts.ledger_discrepancies")) == [
        ("number", "10976", "10977", "warning"), ("signed_on", "2025-09-29", "2025-09-30",
                                                  "warning")]


def test_a_record_only_in_the_search_is_used_and_a_missing_one_listed(case):
    (case.root / DOCUMENT).unlink()
    (case.root / "federal_register/documents/2025-17908.json").unlink()  # not in the search
    result = case.run(FEDERAL_REGISTER)
    assert result.success
    assert _query(case.warehouse, "SELECT answer_kind FROM staging.federal_register_documents "
                                  "WHERE document_number = '2025-17389'") == [("search",)]
    assert _query(case.warehouse, "SELECT instrument_id, field, severity FROM "
                                  "marts.ledger_discrepancies") == [
        ("ita-japan-notice", "document", "warning")]


@pytest.mark.parametrize(("body", "fragments"), [
    (lambda raw: raw[:-30], ("2025-17389.json", "not valid JSON (truncated?)", "'body'")),
    (lambda raw: b"<!DOCTYPE html><html>Service unavailable</html>",
     ("2025-17389.json", "HTML page")),
    (lambda raw: raw.replace(b'"signing_date":"2025-09-04",', b""),
     ("2025-17389.json", "'signing_date'", "schema change")),
])
def test_a_bad_answer_is_refused_and_changes_nothing(case, body, fragments):
    case.write(DOCUMENT, body(case.read(DOCUMENT)))
    case.expect_refusal(case.run(FEDERAL_REGISTER), "Federal Register", *fragments)


def test_a_bad_search_page_is_refused(case):
    page = next((case.sample / "federal_register" / "search").glob("*page=2.json"))
    relative = str(page.relative_to(case.sample))
    answer = json.loads(case.read(relative))
    answer["results"] = {"unexpected": "object"}
    case.write(relative, json.dumps(answer).encode())
    case.expect_refusal(case.run(FEDERAL_REGISTER), "page=2.json", "'results'")


def test_live_mode_fetches_the_ledger_documents_and_the_search(httpserver, sample_snapshot,
                                                               tmp_path, monkeypatch):
    folder = sample_snapshot / "federal_register"
    pages = sorted((folder / "search").glob("*.json"))

    def answer(request: Request) -> Response:
        if request.path.endswith("/documents.json"):
            assert request.args["conditions[term]"] == "Japan"
            body = pages[int(request.args["page"]) - 1].read_bytes()
        else:
            path = folder / "documents" / request.path.rsplit("/", 1)[1]
            if not path.exists():
                return Response('{"status":404}', status=404, content_type="application/json")
            body = path.read_bytes()
        return Response(body, content_type="application/json; charset=utf-8")

    httpserver.expect_request(re.compile(r"^/api/v1/.*")).respond_with_handler(answer)
    landing = tmp_path / "landing"
    monkeypatch.setenv("TARIFF_AUDIT_LANDING", str(landing))
    path = tmp_path / "warehouse.duckdb"
    resources = {"source": SourceResource(source="live",
                                          federal_register_url=httpserver.url_for("/api/v1")),
                 "warehouse": WarehouseResource(database=str(path))}
    instance = dg.DagsterInstance.ephemeral()
    assert run_assets(instance, LEDGER, None, resources).success
    assert run_assets(instance, FEDERAL_REGISTER, None, resources).success
    landed = sorted(p.relative_to(landing) for p in (landing / "federal_register").rglob("*.json"))
    assert landed == sorted(p.relative_to(sample_snapshot) for p in folder.rglob("*.json"))
    assert all((landing / p).read_bytes() == (sample_snapshot / p).read_bytes() for p in landed)
    documents = len(list((folder / "documents").glob("*.json")))   # one per ledger fr_doc
    assert documents >= 13
    assert _query(path, "SELECT count(*) FROM staging.federal_register_documents") == [
        (documents,)]
    assert _query(path, "SELECT count(*) FROM marts.ledger_discrepancies") == [(0,)]
