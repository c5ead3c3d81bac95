-- marts.unmodelled_provisions: every Chapter 99 heading of every loaded HTS release that the ledger does not model (known gaps and headings no ledger entry accounts for)
-- group: audit
-- reads: raw.hts_records, raw.hts_releases
-- reads: staging.ledger_instruments, staging.ledger_rules, staging.ledger_categories, staging.ledger_units, staging.ledger_provisions, staging.ledger_category_sectors, staging.ledger_chapter99, staging.ledger_about
-- preview: ORDER BY coverage DESC, heading, release
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.unmodelled_provisions (
    release VARCHAR NOT NULL,
    heading VARCHAR NOT NULL,
    description VARCHAR,
    first_release VARCHAR,
    coverage VARCHAR NOT NULL,
    reason VARCHAR,
    applies_to_japan BOOLEAN,
    PRIMARY KEY (release, heading)
);
COMMENT ON TABLE marts.unmodelled_provisions IS 'The coverage contract of the law, release by release: each Chapter 99 heading (99xx.xx.xx, all subchapters) of a loaded HTS release that no ledger rule models - either a known gap listed in pipelines/ledger/chapter99.yaml with its reason (coverage not_modelled) or a heading no entry accounts for (coverage unaccounted, which fails the contract all_headings_accounted_for). Headings modelled or not applicable to products of Japan are not listed.';
COMMENT ON COLUMN marts.unmodelled_provisions.release IS 'HTS release name (e.g. 2026HTSRev10).';
COMMENT ON COLUMN marts.unmodelled_provisions.heading IS 'Chapter 99 heading with dots (e.g. 9903.82.22).';
COMMENT ON COLUMN marts.unmodelled_provisions.description IS 'USITC description of the heading in that release (trimmed).';
COMMENT ON COLUMN marts.unmodelled_provisions.first_release IS 'First loaded release (by start date, else by year and revision number) that carries the heading.';
COMMENT ON COLUMN marts.unmodelled_provisions.coverage IS 'not_modelled (a known gap: chapter99.yaml says why) or unaccounted (no entry of chapter99.yaml matches the heading: the ledger must say whether it models it).';
COMMENT ON COLUMN marts.unmodelled_provisions.reason IS 'Why the heading is not modelled (chapter99.yaml reason), or that no entry accounts for it.';
COMMENT ON COLUMN marts.unmodelled_provisions.applies_to_japan IS 'True when the ledger says the heading can apply to products of Japan; NULL when unknown (always for unaccounted headings).';
-- name: insert
INSERT INTO marts.unmodelled_provisions
WITH headings AS (
    SELECT release, trim(htsno) AS heading, arg_min(trim(description), ordinal) AS description
    FROM raw.hts_records
    WHERE regexp_full_match(trim(htsno), '99\d\d\.\d\d\.\d\d')
    GROUP BY ALL
),
ordered AS (
    SELECT h.release,
           row_number() OVER (ORDER BY r.release_start_date NULLS LAST,
                              left(h.release, 4)::INTEGER,
                              coalesce(try_cast(split_part(h.release, 'Rev', 2) AS INTEGER), 0))
               AS n
    FROM (SELECT DISTINCT release FROM headings) h
    LEFT JOIN raw.hts_releases r USING (release)
),
first AS (
    SELECT heading, arg_min(release, n) AS first_release
    FROM headings JOIN ordered USING (release) GROUP BY heading
),
matched AS (
    SELECT h.release, h.heading, h.description, c.status, c.reason, c.applies_to_japan
    FROM headings h
    LEFT JOIN staging.ledger_chapter99 c
      ON CASE WHEN c.is_prefix THEN starts_with(h.heading, c.heading_from)
              ELSE h.heading BETWEEN c.heading_from AND c.heading_to END
    QUALIFY row_number() OVER (PARTITION BY h.release, h.heading ORDER BY c.entry) = 1
)
SELECT m.release, m.heading, m.description, f.first_release,
       CASE WHEN m.status IS NULL THEN 'unaccounted' ELSE 'not_modelled' END,
       coalesce(m.reason, 'no entry of pipelines/ledger/chapter99.yaml accounts for this heading'),
       m.applies_to_japan
FROM matched m JOIN first f USING (heading)
WHERE m.status IS NULL OR m.status = 'not_modelled'
