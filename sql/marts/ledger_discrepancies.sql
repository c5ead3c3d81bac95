-- marts.ledger_discrepancies: every ledger instrument with a Federal Register document number whose dates, citation, number or kind disagree with its Federal Register record (or that has no record)
-- group: legal
-- reads: staging.federal_register_documents, staging.ledger_instruments
-- preview: ORDER BY severity, instrument_id, field
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.ledger_discrepancies (
    instrument_id VARCHAR NOT NULL,
    fr_doc VARCHAR NOT NULL,
    field VARCHAR NOT NULL,
    ledger_value VARCHAR,
    federal_register_value VARCHAR,
    severity VARCHAR NOT NULL,
    instrument_verified BOOLEAN NOT NULL,
    detail VARCHAR NOT NULL,
    PRIMARY KEY (instrument_id, field)
);
COMMENT ON TABLE marts.ledger_discrepancies IS 'Where the ledger (pipelines/ledger/instruments.yaml) and the Federal Register disagree: one row per instrument and field. The ledger is never overwritten: a row here fails a contract until someone corrects the ledger (or confirms it and explains the difference). Written even when its contracts fail.';
COMMENT ON COLUMN marts.ledger_discrepancies.instrument_id IS 'Ledger instrument (staging.ledger_instruments.id).';
COMMENT ON COLUMN marts.ledger_discrepancies.fr_doc IS 'The Federal Register document number the ledger gives for it.';
COMMENT ON COLUMN marts.ledger_discrepancies.field IS 'What disagrees: published_on (publication_date), signed_on (signing_date), effective_on, citation, number (executive_order_number or proclamation_number), kind (type/subtype), or document (no record loaded).';
COMMENT ON COLUMN marts.ledger_discrepancies.ledger_value IS 'The ledger''s value, as text.';
COMMENT ON COLUMN marts.ledger_discrepancies.federal_register_value IS 'The Federal Register''s value, as text; NULL when it has no record.';
COMMENT ON COLUMN marts.ledger_discrepancies.severity IS 'error (a verified instrument disagrees on its identity: dates, citation, number, kind; blocking), warning (an unverified instrument, an effective date, which the ledger defines as the first entry date governed, or a missing record).';
COMMENT ON COLUMN marts.ledger_discrepancies.instrument_verified IS 'The ledger''s verified flag of the instrument.';
COMMENT ON COLUMN marts.ledger_discrepancies.detail IS 'The disagreement in words, naming the Federal Register answer file.';
-- name: insert
INSERT INTO marts.ledger_discrepancies
WITH instruments AS (
    SELECT * FROM staging.ledger_instruments WHERE fr_doc IS NOT NULL
),
records AS (
    SELECT d.*,
           CASE WHEN d.subtype = 'Executive Order' THEN 'executive_order'
                WHEN d.subtype = 'Proclamation' THEN 'proclamation'
                WHEN d.document_type = 'Notice' THEN 'notice'
                WHEN d.document_type = 'Rule' THEN 'rule'
                ELSE lower(replace(coalesce(d.subtype, d.document_type), ' ', '_')) END AS kind
    FROM staging.federal_register_documents d
),
compared AS (
    SELECT i.id, i.fr_doc, i.verified, r.request, u.field, u.ledger_value, u.fr_value
    FROM instruments i
    JOIN records r ON r.document_number = i.fr_doc
    CROSS JOIN LATERAL (VALUES
        ('published_on', i.published_on::VARCHAR, r.publication_date::VARCHAR),
        ('signed_on', i.signed_on::VARCHAR, r.signing_date::VARCHAR),
        ('effective_on', i.effective_on::VARCHAR, r.effective_on::VARCHAR),
        ('citation', regexp_replace(trim(i.citation), '\s+', ' ', 'g'),
                     regexp_replace(trim(r.citation), '\s+', ' ', 'g')),
        ('number', i.number::VARCHAR,
                   CASE i.kind WHEN 'executive_order' THEN r.executive_order_number::VARCHAR
                               WHEN 'proclamation' THEN r.proclamation_number::VARCHAR END),
        ('kind', CASE WHEN i.kind IN ('executive_order', 'proclamation', 'notice') THEN i.kind END,
                 r.kind)
    ) AS u(field, ledger_value, fr_value)
    WHERE u.ledger_value IS NOT NULL AND u.fr_value IS NOT NULL
      AND u.ledger_value <> u.fr_value
)
SELECT id, fr_doc, field, ledger_value, fr_value,
       CASE WHEN field = 'effective_on' OR NOT verified THEN 'warning' ELSE 'error' END,
       verified,
       printf('the ledger says %s %s; the Federal Register (%s) says %s', field, ledger_value,
              request, fr_value)
FROM compared
UNION ALL
SELECT i.id, i.fr_doc, 'document', i.fr_doc, NULL, 'warning', i.verified,
       'no Federal Register record of document ' || i.fr_doc || ' was loaded'
FROM instruments i
WHERE i.fr_doc NOT IN (SELECT document_number FROM staging.federal_register_documents)
