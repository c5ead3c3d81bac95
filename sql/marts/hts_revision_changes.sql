-- marts.hts_revision_changes: every Chapter 99 heading and every chapter 01-97 rate added, removed or changed between consecutive releases
-- group: audit
-- reads: staging.hts_chapter99, staging.hts_lines
-- preview: ORDER BY release, scope, hts_code
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.hts_revision_changes (
    release VARCHAR NOT NULL,
    previous_release VARCHAR NOT NULL,
    scope VARCHAR NOT NULL,
    hts_code VARCHAR NOT NULL,
    change VARCHAR NOT NULL,
    before_text VARCHAR,
    after_text VARCHAR
);
COMMENT ON TABLE marts.hts_revision_changes IS 'What each HTS release changed against the one before it (releases ordered by year and revision number): Chapter 99 headings (scope chapter99, compared on their general text) and chapter 01-97 statistical lines (scope line, compared on their column-1 general rate text); texts are compared and shown without USITC''s HTML markup.';
COMMENT ON COLUMN marts.hts_revision_changes.change IS 'added, removed or changed.';
COMMENT ON COLUMN marts.hts_revision_changes.release IS 'The HTS release (e.g. 2025HTSRev23) whose change the row records.';
COMMENT ON COLUMN marts.hts_revision_changes.previous_release IS 'The release before it (by year and revision number), compared against.';
COMMENT ON COLUMN marts.hts_revision_changes.scope IS 'chapter99 (a heading of staging.hts_chapter99) or line (a statistical line of staging.hts_lines).';
COMMENT ON COLUMN marts.hts_revision_changes.hts_code IS 'Heading with dots for scope chapter99 (e.g. 9903.02.73), HS10 without dots for scope line.';
COMMENT ON COLUMN marts.hts_revision_changes.before_text IS 'General text in previous_release, without HTML markup; NULL when added.';
COMMENT ON COLUMN marts.hts_revision_changes.after_text IS 'General text in release, without HTML markup; NULL when removed.';
-- name: insert
INSERT INTO marts.hts_revision_changes
WITH releases AS (
    SELECT release,
           lag(release) OVER (ORDER BY left(release, 4)::INTEGER,
                              coalesce(try_cast(split_part(release, 'Rev', 2) AS INTEGER), 0))
               AS previous_release
    FROM (SELECT DISTINCT release FROM staging.hts_lines
          UNION SELECT DISTINCT release FROM staging.hts_chapter99)
),
items AS (
    -- compared without USITC's markup (m<sup>2</sup> and m2 are the same rate)
    SELECT release, scope, hts_code,
           trim(regexp_replace(regexp_replace(text, '<[^>]*>', '', 'g'), '\s+', ' ', 'g'))
               AS text
    FROM (SELECT release, 'chapter99' AS scope, heading AS hts_code,
                 coalesce(general_text, '') AS text
          FROM staging.hts_chapter99
          UNION ALL
          SELECT release, 'line', hs10, coalesce(general_text, '') FROM staging.hts_lines)
),
after_items AS (
    SELECT r.release, r.previous_release, i.scope, i.hts_code, i.text
    FROM releases r JOIN items i ON i.release = r.release
    WHERE r.previous_release IS NOT NULL
),
before_items AS (
    SELECT r.release, r.previous_release, i.scope, i.hts_code, i.text
    FROM releases r JOIN items i ON i.release = r.previous_release
),
pairs AS (
    SELECT coalesce(a.release, b.release) AS release,
           coalesce(a.previous_release, b.previous_release) AS previous_release,
           coalesce(a.scope, b.scope) AS scope, coalesce(a.hts_code, b.hts_code) AS hts_code,
           b.text AS before_text, a.text AS after_text
    FROM after_items a
    FULL JOIN before_items b
      ON a.release = b.release AND a.scope = b.scope AND a.hts_code = b.hts_code
)
SELECT release, previous_release, scope, hts_code,
       CASE WHEN before_text IS NULL THEN 'added'
            WHEN after_text IS NULL THEN 'removed' ELSE 'changed' END,
       before_text, after_text
FROM pairs
WHERE before_text IS DISTINCT FROM after_text
