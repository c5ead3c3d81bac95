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
WHERE r.release IN (SELECT unnest($releases)) AND starts_with(trim(r.htsno), '9903.')
QUALIFY row_number() OVER (PARTITION BY r.release, trim(r.htsno) ORDER BY r.ordinal) = 1
