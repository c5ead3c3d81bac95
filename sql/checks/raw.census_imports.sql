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
