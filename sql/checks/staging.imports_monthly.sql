-- Cross-row contracts of staging.imports_monthly (one check per section; each returns the offending items)
-- name: all_countries_every_chapter
-- severity: error
-- description: The all-countries total (CTY_CODE -) has rows in every HS chapter that the month's detail countries have: a missing chapter means a lost request.
SELECT strftime(d.period, '%Y-%m') AS partition, d.chapter AS value
FROM (SELECT DISTINCT period, left(hs10, 2) AS chapter FROM staging.imports_monthly
      WHERE cty_code <> '-' AND strftime(period, '%Y-%m-%d') IN (SELECT unnest($keys))) d
ANTI JOIN (SELECT DISTINCT period, left(hs10, 2) AS chapter FROM staging.imports_monthly
           WHERE cty_code = '-') t USING (period, chapter)
WHERE EXISTS (SELECT 1 FROM staging.imports_monthly x WHERE x.cty_code = '-' AND x.period = d.period)
-- name: japan_usual_line_count
-- severity: error
-- description: Japan (5880) has at least half of its usual number of HS10 lines (median of the previous 12 months): fewer means a truncated answer.
WITH counts AS (
    SELECT period, count(DISTINCT hs10) AS lines FROM staging.imports_monthly
    WHERE cty_code = '5880' GROUP BY 1
),
usual AS (
    SELECT c.period, c.lines,
           (SELECT median(p.lines) FROM counts p
            WHERE p.period < c.period AND p.period >= c.period - INTERVAL 12 MONTH) AS usual
    FROM counts c
)
SELECT strftime(period, '%Y-%m') AS partition, lines || ' lines vs a usual ' || usual AS value
FROM usual
WHERE strftime(period, '%Y-%m-%d') IN (SELECT unnest($keys)) AND lines < 0.5 * usual
