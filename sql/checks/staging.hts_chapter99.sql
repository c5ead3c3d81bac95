-- Cross-release contracts of staging.hts_chapter99
-- name: deal_headings_persist
-- severity: error
-- description: The Japan deal headings (9903.02.72/.73, 9903.94.40-.43, 9903.96.02) are in every release from the first one that carries them (provisions ledger).
WITH ordered AS (
    SELECT release, left(release, 4)::INTEGER * 1000
               + coalesce(try_cast(split_part(release, 'Rev', 2) AS INTEGER), 0) AS n
    FROM (SELECT DISTINCT release FROM staging.hts_chapter99)
),
deal AS (
    SELECT heading FROM staging.ledger_provisions
    WHERE provision IN ('japan-general-floor', 'japan-autos-parts', 'japan-civil-aircraft')
),
first_seen AS (
    SELECT c.heading, min(o.n) AS n FROM staging.hts_chapter99 c JOIN ordered o USING (release)
    WHERE c.heading IN (SELECT heading FROM deal) GROUP BY 1
)
SELECT o.release AS partition, f.heading AS value
FROM first_seen f JOIN ordered o ON o.n > f.n
WHERE o.release IN (SELECT unnest($keys))
  AND NOT EXISTS (SELECT 1 FROM staging.hts_chapter99 c
                  WHERE c.release = o.release AND c.heading = f.heading)
