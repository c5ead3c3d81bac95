-- Cross-row contracts of raw.census_imports
-- name: hs10_rows_add_up_to_chapter_totals
-- severity: error
-- description: In the latest vintage of a month, each country's HS10 rows of a chapter add up to the API's chapter total (COMM_LVL HS2 answer) within 0.5%: a larger gap means rows were lost or doubled.
WITH latest AS (
    SELECT * FROM raw.census_imports r
    WHERE strftime(period, '%Y-%m-%d') IN (SELECT unnest($keys))
      AND vintage = (SELECT max(vintage) FROM raw.census_imports x WHERE x.period = r.period)
),
per_request AS (
    -- a line's value within each answer (rows doubled inside one answer still count twice)
    SELECT period, cty_code, i_commodity, request, contains(request, 'CTY_CODE=') AS own,
           sum(try_cast(con_val_mo AS DOUBLE)) AS value
    FROM latest WHERE coalesce(comm_lvl, 'HS10') = 'HS10' GROUP BY ALL
),
chosen AS (
    -- a country's own answers when it has some for the chapter (all-partner answers of a few
    -- lines, as for the minerals, only repeat rows), else the all-partner answers (national
    -- scale)
    SELECT *, left(i_commodity, 2) AS chapter FROM per_request
    QUALIFY own OR NOT bool_or(own) OVER (PARTITION BY period, cty_code, left(i_commodity, 2))
),
detail AS (
    -- a line answered by several of the chosen requests counts once
    SELECT period, cty_code, chapter, sum(value) AS value
    FROM (SELECT period, cty_code, chapter, i_commodity, max(value) AS value
          FROM chosen GROUP BY ALL)
    GROUP BY ALL
),
totals AS (
    SELECT period, cty_code, chapter, max(value) AS value
    FROM (SELECT period, cty_code, i_commodity AS chapter, request,
                 sum(try_cast(con_val_mo AS DOUBLE)) AS value
          FROM latest WHERE comm_lvl = 'HS2' GROUP BY ALL)
    GROUP BY ALL
)
SELECT strftime(t.period, '%Y-%m') AS partition,
       printf('%s chapter %s: HS10 rows %.0f vs total %.0f', t.cty_code, t.chapter,
              coalesce(d.value, 0), t.value) AS value
FROM totals t LEFT JOIN detail d USING (period, cty_code, chapter)
WHERE abs(coalesce(d.value, 0) - t.value) > 0.005 * t.value
-- name: japan_chapters_not_vanished
-- severity: error
-- binds: japan=true
-- description: A chapter of Japan's (5880) imports worth at least min_chapter_usd (a contract parameter, 10 m USD) in the month's previous vintage or in the previous month is still in the latest vintage, as HS10 rows or as the API's own chapter total (a total of 0 says the chapter is really empty): a chapter gone from both means lost or emptied answers.
WITH checked AS (SELECT unnest($keys)::DATE AS period),
scope AS (SELECT period FROM checked
          UNION SELECT (period - INTERVAL 1 MONTH)::DATE FROM checked),
vintages AS (  -- age 1: the latest vintage of a month, 2: the one before
    SELECT period, vintage, rank() OVER (PARTITION BY period ORDER BY vintage DESC) AS age
    FROM (SELECT DISTINCT period, vintage FROM raw.census_imports
          WHERE period IN (SELECT period FROM scope))
),
chapters AS (  -- HS10 rows and the API's chapter totals; a country's own answers, the
               -- all-partner answers (national scale) and the totals each counted apart
    SELECT period, vintage, cty_code, chapter, max(value) AS value
    FROM (SELECT period, vintage, cty_code, left(i_commodity, 2) AS chapter, comm_lvl,
                 contains(request, 'CTY_CODE=') AS own, sum(try_cast(con_val_mo AS DOUBLE)) AS value
          FROM raw.census_imports
          WHERE period IN (SELECT period FROM scope) AND (cty_code = '5880') = $japan
          GROUP BY ALL)
    GROUP BY ALL
),
current AS (
    SELECT c.* FROM chapters c JOIN vintages v USING (period, vintage)
    WHERE v.age = 1 AND c.period IN (SELECT period FROM checked)
),
reference AS (  -- the month's previous vintage, and the previous month's latest
    SELECT m.period AS checked, c.cty_code, c.chapter, max(c.value) AS value,
           CASE WHEN c.period = m.period THEN 'the previous vintage' ELSE 'the previous month'
           END AS source
    FROM checked m
    JOIN chapters c ON c.period = m.period OR c.period = (m.period - INTERVAL 1 MONTH)::DATE
    JOIN vintages v ON v.period = c.period AND v.vintage = c.vintage
    WHERE (c.period = m.period AND v.age = 2) OR (c.period < m.period AND v.age = 1)
    GROUP BY ALL
    HAVING max(c.value) >= $min_chapter_usd
)
SELECT strftime(r.checked, '%Y-%m') AS partition,
       printf('%s chapter %s: %.0f USD in %s, no HS10 row and no chapter total now',
              r.cty_code, r.chapter, r.value, r.source) AS value
FROM reference r
ANTI JOIN current c ON c.period = r.checked AND c.cty_code = r.cty_code
                   AND c.chapter = r.chapter
-- name: partner_chapters_not_vanished
-- severity: warning
-- description: The same for every other partner: a chapter of at least min_chapter_usd in the month's previous vintage or in the previous month, gone from both the HS10 rows and the chapter totals, is flagged for review (a warning: smaller partners' chapters come and go).
-- same_query_as: japan_chapters_not_vanished
-- binds: japan=false
