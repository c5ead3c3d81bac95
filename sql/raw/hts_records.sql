-- raw.hts_records: every record of every HTS release export, every field as served
-- name: ddl
CREATE TABLE IF NOT EXISTS raw.hts_records (
    release VARCHAR NOT NULL,
    ordinal INTEGER NOT NULL,
    htsno VARCHAR,
    indent VARCHAR,
    description VARCHAR,
    superior VARCHAR,
    units JSON,
    general VARCHAR,
    special VARCHAR,
    other VARCHAR,
    footnotes JSON,
    quota_quantity VARCHAR,
    additional_duties VARCHAR,
    addiitional_duties VARCHAR,
    source_file VARCHAR NOT NULL
);
COMMENT ON TABLE raw.hts_records IS 'Every record of each USITC HTS JSON export, one row per record in file order; partition key: release.';
COMMENT ON COLUMN raw.hts_records.ordinal IS 'Position of the record in the export (1-based).';
COMMENT ON COLUMN raw.hts_records.htsno IS 'HTS number with dots as served (4, 8 or 10 digits; empty for superior text rows).';
COMMENT ON COLUMN raw.hts_records.general IS 'Column 1 general (MFN) rate text as served; empty on lines that inherit it.';
COMMENT ON COLUMN raw.hts_records.special IS 'Column 1 special rate text with its program codes, e.g. Free (A+,AU,...,JP,...).';
COMMENT ON COLUMN raw.hts_records.other IS 'Column 2 rate text.';
COMMENT ON COLUMN raw.hts_records.addiitional_duties IS 'USITC''s own misspelt duplicate field, kept as served.';
COMMENT ON COLUMN raw.hts_records.source_file IS 'Snapshot file the record came from, relative to the snapshot root.';
COMMENT ON COLUMN raw.hts_records.release IS 'Release name derived from the export file name (e.g. 2025HTSRev23, 2025HTSBasic); the partition key.';
COMMENT ON COLUMN raw.hts_records.indent IS 'USITC field indent: nesting depth of the record in the schedule (0 for headings), as served.';
COMMENT ON COLUMN raw.hts_records.description IS 'USITC field description: the article description text, as served.';
COMMENT ON COLUMN raw.hts_records.superior IS 'USITC field superior: true for superior text rows (group captions without an HTS number), else NULL, as served.';
COMMENT ON COLUMN raw.hts_records.units IS 'USITC field units: JSON array of the statistical units of quantity (e.g. ["No."], ["kg"]), as served.';
COMMENT ON COLUMN raw.hts_records.footnotes IS 'USITC field footnotes: JSON array of footnote objects (columns, marker, value, type, e.g. See 9903.88.15.), as served.';
COMMENT ON COLUMN raw.hts_records.quota_quantity IS 'USITC field quotaQuantity: tariff-rate quota quantity text as served (mostly empty or NULL).';
COMMENT ON COLUMN raw.hts_records.additional_duties IS 'USITC field additionalDuties: additional duties text as served (mostly empty or NULL).';
-- name: objects
CREATE OR REPLACE TEMP TABLE _hts_objects AS
SELECT row_number() OVER () AS ordinal, json
FROM read_json_objects($path, format = 'array', maximum_object_size = 16777216)
-- name: missing_fields
SELECT field, count(*) FILTER (WHERE NOT json_exists(json, '$.' || field)) AS missing,
       min(ordinal) FILTER (WHERE NOT json_exists(json, '$.' || field)) AS first_ordinal
FROM _hts_objects, (SELECT unnest($fields) AS field)
GROUP BY field
HAVING missing > 0
ORDER BY field
-- name: differing_duplicates
-- an HTS number listed twice with different content: the first field that differs, rates first
WITH repeated AS (
    SELECT json ->> 'htsno' AS htsno, list(json ORDER BY ordinal) AS records
    FROM _hts_objects WHERE coalesce(json ->> 'htsno', '') <> ''
    GROUP BY 1 HAVING count(DISTINCT json::VARCHAR) > 1
),
fields AS (
    SELECT htsno, f.field, f.i,
           list_sort(list_distinct([coalesce(r ->> f.field, '(none)') FOR r IN records])) AS values
    FROM repeated,
         (SELECT unnest(['general', 'special', 'other', 'description', 'indent', 'units',
                         'footnotes', 'superior', 'quotaQuantity', 'additionalDuties',
                         'addiitionalDuties']) AS field,
                 generate_subscripts(['general', 'special', 'other', 'description', 'indent',
                                      'units', 'footnotes', 'superior', 'quotaQuantity',
                                      'additionalDuties', 'addiitionalDuties'], 1) AS i) f
)
SELECT htsno, field, array_to_string(values, ' vs ')
FROM fields WHERE len(values) > 1
ORDER BY htsno, i LIMIT 1
-- name: collapse_identical
-- the later copies of a record repeated byte for byte: one row is kept (ordinals keep the gap)
DELETE FROM _hts_objects
WHERE ordinal IN (
    SELECT ordinal FROM (
        SELECT ordinal, row_number() OVER (PARTITION BY json::VARCHAR ORDER BY ordinal) AS copy
        FROM _hts_objects WHERE coalesce(json ->> 'htsno', '') <> '')
    WHERE copy > 1)
RETURNING json ->> 'htsno'
-- name: insert
INSERT INTO raw.hts_records
SELECT
    $release, ordinal,
    json ->> 'htsno', json ->> 'indent', json ->> 'description', json ->> 'superior',
    json -> 'units', json ->> 'general', json ->> 'special', json ->> 'other',
    json -> 'footnotes', json ->> 'quotaQuantity', json ->> 'additionalDuties',
    json ->> 'addiitionalDuties', $source_file
FROM _hts_objects
