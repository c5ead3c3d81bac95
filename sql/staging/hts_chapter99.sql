-- staging.hts_chapter99: each Chapter 99 (9903) heading per release, with what its general text does to the subheading's duty
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.hts_chapter99 (
    release VARCHAR NOT NULL,
    heading VARCHAR NOT NULL,
    description VARCHAR,
    general_text VARCHAR,
    effect VARCHAR NOT NULL,
    ad_valorem DOUBLE,
    specific_amount DOUBLE,
    specific_unit VARCHAR,
    special_text VARCHAR,
    other_text VARCHAR,
    PRIMARY KEY (release, heading)
);
COMMENT ON TABLE staging.hts_chapter99 IS 'Chapter 99 subchapter headings (9903.xx.xx) per release with the parse of their general text.';
COMMENT ON COLUMN staging.hts_chapter99.heading IS 'Heading with dots, e.g. 9903.02.73.';
COMMENT ON COLUMN staging.hts_chapter99.effect IS 'add: a rate on top of the subheading''s duty (The duty provided in the applicable subheading + 15%); set: an all-in rate (15%); keep: the subheading''s duty applies; free; other: text kept unparsed.';
COMMENT ON COLUMN staging.hts_chapter99.ad_valorem IS 'The added (effect add) or all-in (effect set) ad valorem rate as a decimal.';
COMMENT ON COLUMN staging.hts_chapter99.release IS 'HTS release name (e.g. 2025HTSRev23) from raw.hts_records; partition key.';
COMMENT ON COLUMN staging.hts_chapter99.description IS 'USITC field description of the heading (trimmed): the goods and the measure it covers.';
COMMENT ON COLUMN staging.hts_chapter99.general_text IS 'USITC field general of the heading (trimmed), e.g. The duty provided in the applicable subheading + 15%.';
COMMENT ON COLUMN staging.hts_chapter99.specific_amount IS 'Specific amount in U.S. dollars per specific_unit that the heading adds (effect add) or sets (effect set); NULL for ad valorem and other texts.';
COMMENT ON COLUMN staging.hts_chapter99.specific_unit IS 'Unit of specific_amount as written in the text (kg, each, ...).';
COMMENT ON COLUMN staging.hts_chapter99.special_text IS 'USITC field special of the heading (trimmed); NULL when empty.';
COMMENT ON COLUMN staging.hts_chapter99.other_text IS 'USITC field other (column-2 text) of the heading (trimmed); NULL when empty.';
-- name: distinct_texts
SELECT DISTINCT trim(general) AS rate_text
FROM raw.hts_records
WHERE release IN (SELECT unnest($releases)) AND starts_with(trim(htsno), '9903.')
  AND general IS NOT NULL
-- name: insert
INSERT INTO staging.hts_chapter99
SELECT r.release, trim(r.htsno), trim(r.description), trim(r.general), coalesce(c.effect, 'other'),
       c.ad_valorem, c.specific_amount, c.specific_unit, nullif(trim(r.special), ''),
       nullif(trim(r.other), '')
FROM raw.hts_records r
LEFT JOIN _ch99_parses c ON c.rate_text = trim(r.general)
WHERE r.release IN (SELECT unnest($releases))
  AND regexp_full_match(trim(r.htsno), '9903\.\d\d\.\d\d')
QUALIFY row_number() OVER (PARTITION BY r.release, trim(r.htsno) ORDER BY r.ordinal) = 1
