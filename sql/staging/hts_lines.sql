-- staging.hts_lines: one row per 10-digit statistical line of chapters 01-98 per release, with its column-1 rate parsed
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.hts_lines (
    release VARCHAR NOT NULL,
    hs10 VARCHAR NOT NULL,
    hs8 VARCHAR NOT NULL,
    chapter VARCHAR NOT NULL,
    description VARCHAR,
    units VARCHAR[],
    general_text VARCHAR,
    rate_source VARCHAR,
    rate_kind VARCHAR NOT NULL,
    ad_valorem DOUBLE,
    specific_amount DOUBLE,
    specific_unit VARCHAR,
    specific_amount_2 DOUBLE,
    specific_unit_2 VARCHAR,
    specific_basis VARCHAR,
    specific_basis_2 VARCHAR,
    special_text VARCHAR,
    other_text VARCHAR,
    PRIMARY KEY (release, hs10)
);
COMMENT ON TABLE staging.hts_lines IS 'One row per 10-digit statistical line of HTS chapters 01-97 and of chapter 98 (special classification provisions such as 9801 U.S. goods returned, which Census import data carries) per release (an 8-digit line without statistical suffixes stands as hs8||00), with the column-1 general rate text it carries or inherits and its parse. Rates are decimals (0.025 = 2.5%).';
COMMENT ON COLUMN staging.hts_lines.hs10 IS '10-digit HTS statistical number without dots.';
COMMENT ON COLUMN staging.hts_lines.description IS 'The 8-digit line''s description, then the statistical line''s own after an em dash.';
COMMENT ON COLUMN staging.hts_lines.general_text IS 'Column-1 general rate text, own or inherited from the 8-digit line (HTML stripped, as served otherwise).';
COMMENT ON COLUMN staging.hts_lines.rate_source IS 'Where general_text comes from: own (the line''s own text), hs8 (its 8-digit parent), preceding (the nearest preceding line with a rate, when the export lacks the 8-digit parent); NULL when the line has none.';
COMMENT ON COLUMN staging.hts_lines.rate_kind IS 'free, ad_valorem, specific, compound or other (text kept, not computable from the text alone).';
COMMENT ON COLUMN staging.hts_lines.ad_valorem IS 'Ad valorem part as a decimal (0.025 for 2.5%); 0 for free.';
COMMENT ON COLUMN staging.hts_lines.specific_amount IS 'First specific part in U.S. dollars per specific_unit (0.105 for 10.5¢/bbl).';
COMMENT ON COLUMN staging.hts_lines.specific_unit IS 'Unit of the first specific part as written (kg, bbl, liter, each, doz., pf.liter, ...).';
COMMENT ON COLUMN staging.hts_lines.specific_amount_2 IS 'Second specific part in dollars, for rates such as 17¢ each + 2.5% + 1¢/jewel.';
COMMENT ON COLUMN staging.hts_lines.specific_basis IS 'What the first specific part is levied on when the text says so (drained weight, lead content, total sugars, ...); NULL when on the goods themselves.';
COMMENT ON COLUMN staging.hts_lines.special_text IS 'Column-1 special rate text with its program codes (JP = U.S.-Japan Trade Agreement).';
COMMENT ON COLUMN staging.hts_lines.other_text IS 'Column-2 rate text.';
COMMENT ON COLUMN staging.hts_lines.release IS 'HTS release name (e.g. 2025HTSRev23) from raw.hts_records; partition key.';
COMMENT ON COLUMN staging.hts_lines.hs8 IS '8-digit HTS subheading without dots: the first 8 digits of hs10.';
COMMENT ON COLUMN staging.hts_lines.chapter IS 'HTS chapter: the first 2 digits of hs10 (01-98).';
COMMENT ON COLUMN staging.hts_lines.units IS 'Statistical units of quantity from the USITC field units (e.g. [No.], [kg]); the 8-digit line''s when the statistical line has none.';
COMMENT ON COLUMN staging.hts_lines.specific_unit_2 IS 'Unit of the second specific part as written (kg, each, ...); NULL when the rate has at most one specific part.';
COMMENT ON COLUMN staging.hts_lines.specific_basis_2 IS 'What the second specific part is levied on when the text says so; NULL when on the goods themselves or when there is no second part.';
-- name: distinct_texts
SELECT DISTINCT trim(general, E' \t\r\n') AS rate_text
FROM raw.hts_records
WHERE release IN (SELECT unnest($releases)) AND trim(general, E' \t\r\n') <> ''
-- name: insert
INSERT INTO staging.hts_lines
WITH rec AS (
    SELECT release, ordinal, replace(trim(htsno), '.', '') AS code,
           trim(description) AS description, from_json(units, '["VARCHAR"]') AS units,
           nullif(trim(general, E' \t\r\n'), '') AS general,
           nullif(trim(special, E' \t\r\n'), '') AS special,
           nullif(trim(other, E' \t\r\n'), '') AS other
    FROM raw.hts_records
    WHERE release IN (SELECT unnest($releases))
      AND regexp_full_match(trim(htsno), '\d{4}\.\d{2}\.\d{2}(\.\d{2})?')
),
ordered AS (
    -- the nearest preceding line that carries rate text, for statistical lines whose 8-digit
    -- parent is missing from the export (e.g. 9401.99.30.30 in 2025 revision 16)
    SELECT *,
           last_value(general IGNORE NULLS) OVER w AS prev_general,
           last_value(CASE WHEN general IS NOT NULL THEN special END IGNORE NULLS) OVER w
               AS prev_special,
           last_value(CASE WHEN general IS NOT NULL THEN other END IGNORE NULLS) OVER w
               AS prev_other
    FROM rec
    WINDOW w AS (PARTITION BY release ORDER BY ordinal
                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
),
hs8 AS (
    SELECT release, code AS hs8, description, units, general, special, other
    FROM ordered WHERE length(code) = 8
    QUALIFY row_number() OVER (PARTITION BY release, code ORDER BY general NULLS LAST) = 1
),
hs10 AS (
    SELECT release, code AS hs10, left(code, 8) AS hs8, description, units, general, special,
           other, prev_general, prev_special, prev_other
    FROM ordered WHERE length(code) = 10
    QUALIFY row_number() OVER (PARTITION BY release, code ORDER BY general NULLS LAST) = 1
),
stat AS (
    SELECT t.release, t.hs10, t.hs8,
           coalesce(p.description || ' — ' || t.description, t.description) AS description,
           coalesce(nullif(t.units, []), p.units) AS units,
           coalesce(t.general, p.general, CASE WHEN p.hs8 IS NULL THEN t.prev_general END)
               AS general_text,
           CASE WHEN t.general IS NOT NULL THEN 'own'
                WHEN p.general IS NOT NULL THEN 'hs8'
                WHEN p.hs8 IS NULL AND t.prev_general IS NOT NULL THEN 'preceding' END
               AS rate_source,
           coalesce(t.special, p.special, CASE WHEN p.hs8 IS NULL THEN t.prev_special END)
               AS special_text,
           coalesce(t.other, p.other, CASE WHEN p.hs8 IS NULL THEN t.prev_other END)
               AS other_text
    FROM hs10 t LEFT JOIN hs8 p USING (release, hs8)
    UNION ALL
    SELECT p.release, p.hs8 || '00', p.hs8, p.description, p.units, p.general,
           CASE WHEN p.general IS NOT NULL THEN 'own' END, p.special, p.other
    FROM hs8 p
    WHERE NOT EXISTS (SELECT 1 FROM hs10 t WHERE t.release = p.release AND t.hs8 = p.hs8)
)
SELECT s.release, s.hs10, s.hs8, left(s.hs10, 2), s.description, s.units, s.general_text,
       s.rate_source, coalesce(r.rate_kind, 'other'), r.ad_valorem, r.specific_amount,
       r.specific_unit, r.specific_amount_2, r.specific_unit_2, r.specific_basis,
       r.specific_basis_2, s.special_text, s.other_text
FROM stat s
LEFT JOIN _rate_parses r ON r.rate_text = s.general_text
WHERE left(s.hs10, 2) BETWEEN '01' AND '98'
-- name: release_starts
-- release_starts(): the releases loaded, each with the first day it is in force (the
-- releaseList start date, else January 1 of the year in its name); the marts that need the
-- release in force on a day or in a month read it (pipelines/lib/sources/hts/reader.py
-- install_release_starts)
CREATE OR REPLACE TEMP MACRO release_starts() AS TABLE
SELECT l.release, coalesce(r.release_start_date,
       make_date(left(l.release, 4)::INTEGER, 1, 1)) AS start_date
FROM (SELECT DISTINCT release FROM staging.hts_lines) l
LEFT JOIN raw.hts_releases r USING (release)
