-- raw.federal_register_documents: every document object of the Federal Register answers in the snapshot (search results and single documents), every field as served
-- name: ddl
CREATE TABLE IF NOT EXISTS raw.federal_register_documents (
    request VARCHAR NOT NULL,
    answer_kind VARCHAR NOT NULL,
    result_index INTEGER NOT NULL,
    document_number VARCHAR NOT NULL,
    type VARCHAR,
    subtype VARCHAR,
    title VARCHAR,
    signing_date VARCHAR,
    publication_date VARCHAR,
    effective_on VARCHAR,
    executive_order_number VARCHAR,
    proclamation_number VARCHAR,
    citation VARCHAR,
    start_page VARCHAR,
    html_url VARCHAR,
    pdf_url VARCHAR,
    json_url VARCHAR,
    agencies VARCHAR,
    record JSON NOT NULL,
    fetched_at TIMESTAMP NOT NULL,
    PRIMARY KEY (request, result_index)
);
COMMENT ON TABLE raw.federal_register_documents IS 'Federal Register API answers in the snapshot (federal_register/search/*.json pages of documents.json searches and federal_register/documents/<number>.json), one row per document object, every field as served (numbers as written, lists and objects as JSON text); rebuilt from the snapshot on every load.';
COMMENT ON COLUMN raw.federal_register_documents.request IS 'The answer file within the snapshot (federal_register/search/<query>_page=<n>.json or federal_register/documents/<number>.json).';
COMMENT ON COLUMN raw.federal_register_documents.answer_kind IS 'search (a result of a documents.json page) or document (a documents/<number>.json answer).';
COMMENT ON COLUMN raw.federal_register_documents.result_index IS 'Position of the object in the page''s results (0 for a document answer).';
COMMENT ON COLUMN raw.federal_register_documents.document_number IS 'document_number as served (e.g. 2025-17389).';
COMMENT ON COLUMN raw.federal_register_documents.type IS 'type as served: Presidential Document, Rule, Proposed Rule, Notice.';
COMMENT ON COLUMN raw.federal_register_documents.subtype IS 'subtype as served (Executive Order, Proclamation, Memorandum, ...); NULL for most non-presidential documents.';
COMMENT ON COLUMN raw.federal_register_documents.title IS 'title as served.';
COMMENT ON COLUMN raw.federal_register_documents.signing_date IS 'signing_date as served (YYYY-MM-DD; presidential documents).';
COMMENT ON COLUMN raw.federal_register_documents.publication_date IS 'publication_date as served (YYYY-MM-DD).';
COMMENT ON COLUMN raw.federal_register_documents.effective_on IS 'effective_on as served (YYYY-MM-DD), often null.';
COMMENT ON COLUMN raw.federal_register_documents.executive_order_number IS 'executive_order_number as served (a number in the JSON).';
COMMENT ON COLUMN raw.federal_register_documents.proclamation_number IS 'proclamation_number as served, when the answer has it.';
COMMENT ON COLUMN raw.federal_register_documents.citation IS 'citation as served (e.g. 90 FR 43535).';
COMMENT ON COLUMN raw.federal_register_documents.start_page IS 'start_page as served (first Federal Register page).';
COMMENT ON COLUMN raw.federal_register_documents.html_url IS 'html_url as served: the document''s page on federalregister.gov.';
COMMENT ON COLUMN raw.federal_register_documents.pdf_url IS 'pdf_url as served: the printed version on govinfo.gov.';
COMMENT ON COLUMN raw.federal_register_documents.json_url IS 'json_url as served: the API address of the document.';
COMMENT ON COLUMN raw.federal_register_documents.agencies IS 'agencies as served (a JSON list of objects with name, slug, id, ...).';
COMMENT ON COLUMN raw.federal_register_documents.record IS 'The whole document object as served.';
COMMENT ON COLUMN raw.federal_register_documents.fetched_at IS 'When the answer was fetched (UTC): the answer file''s modification time.';
-- name: insert
INSERT INTO raw.federal_register_documents
SELECT request, answer_kind, result_index, document_number, type, subtype, title, signing_date,
       publication_date, effective_on, executive_order_number, proclamation_number, citation,
       start_page, html_url, pdf_url, json_url, agencies, record::JSON, fetched_at
FROM _federal_register_answers
