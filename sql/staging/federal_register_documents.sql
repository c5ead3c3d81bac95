-- staging.federal_register_documents: one typed row per Federal Register document, from its single-document answer when the snapshot has one, else from the latest search result
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.federal_register_documents (
    document_number VARCHAR PRIMARY KEY,
    document_type VARCHAR NOT NULL,
    subtype VARCHAR,
    title VARCHAR NOT NULL,
    signing_date DATE,
    publication_date DATE NOT NULL,
    effective_on DATE,
    executive_order_number BIGINT,
    proclamation_number BIGINT,
    citation VARCHAR,
    start_page BIGINT,
    html_url VARCHAR,
    pdf_url VARCHAR,
    json_url VARCHAR,
    agencies VARCHAR,
    answer_kind VARCHAR NOT NULL,
    request VARCHAR NOT NULL,
    fetched_at TIMESTAMP NOT NULL
);
COMMENT ON TABLE staging.federal_register_documents IS 'Federal Register documents (executive orders, proclamations, notices, rules) with their dates, numbers and citation, one row per document number: from the documents/<number>.json answer when there is one, else from the most recent search result.';
COMMENT ON COLUMN staging.federal_register_documents.document_number IS 'Federal Register document number (e.g. 2025-17389); staging.ledger_instruments.fr_doc refers to it.';
COMMENT ON COLUMN staging.federal_register_documents.document_type IS 'The API''s type: Presidential Document, Rule, Proposed Rule or Notice.';
COMMENT ON COLUMN staging.federal_register_documents.subtype IS 'Executive Order, Proclamation, Memorandum, ... (presidential documents); NULL otherwise.';
COMMENT ON COLUMN staging.federal_register_documents.title IS 'Title of the document.';
COMMENT ON COLUMN staging.federal_register_documents.signing_date IS 'Date the President signed it (presidential documents); NULL otherwise.';
COMMENT ON COLUMN staging.federal_register_documents.publication_date IS 'Date it was published in the Federal Register.';
COMMENT ON COLUMN staging.federal_register_documents.effective_on IS 'Effective date the Federal Register records; NULL when it records none (usual for presidential documents).';
COMMENT ON COLUMN staging.federal_register_documents.executive_order_number IS 'Executive order number (e.g. 14345); NULL for other documents.';
COMMENT ON COLUMN staging.federal_register_documents.proclamation_number IS 'Proclamation number (e.g. 10908); NULL for other documents or when the answer does not give it.';
COMMENT ON COLUMN staging.federal_register_documents.citation IS 'Federal Register citation (e.g. 90 FR 43535).';
COMMENT ON COLUMN staging.federal_register_documents.start_page IS 'First Federal Register page of the document.';
COMMENT ON COLUMN staging.federal_register_documents.html_url IS 'The document''s page on federalregister.gov.';
COMMENT ON COLUMN staging.federal_register_documents.pdf_url IS 'The printed version (govinfo.gov).';
COMMENT ON COLUMN staging.federal_register_documents.json_url IS 'The API address of the document.';
COMMENT ON COLUMN staging.federal_register_documents.agencies IS 'Names of the issuing agencies, joined by ; (e.g. Executive Office of the President).';
COMMENT ON COLUMN staging.federal_register_documents.answer_kind IS 'document (from documents/<number>.json) or search (from a search result only).';
COMMENT ON COLUMN staging.federal_register_documents.request IS 'The answer file the row comes from (raw.federal_register_documents.request).';
COMMENT ON COLUMN staging.federal_register_documents.fetched_at IS 'When that answer was fetched (UTC).';
-- name: insert
INSERT INTO staging.federal_register_documents
SELECT document_number, type, subtype, title, signing_date::DATE, publication_date::DATE,
       effective_on::DATE, nullif(executive_order_number, '')::BIGINT,
       nullif(proclamation_number, '')::BIGINT, citation, nullif(start_page, '')::BIGINT,
       html_url, pdf_url, json_url,
       (SELECT string_agg(a ->> 'name', '; ') FROM unnest(json_extract(agencies::JSON, '$[*]')) AS t(a)),
       answer_kind, request, fetched_at
FROM raw.federal_register_documents
QUALIFY row_number() OVER (PARTITION BY document_number
                           ORDER BY answer_kind = 'document' DESC, fetched_at DESC,
                                    request DESC, result_index) = 1
