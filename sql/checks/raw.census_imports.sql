-- Cross-row contracts of raw.census_imports
-- name: hs10_rows_add_up_to_chapter_totals
-- severity: error
-- description: In the latest vintage of a month, each country's HS10 rows of a chapter add up to the API's chapter total (COMM_LVL HS2 answer) within 0.5%: a larger gap means rows were lost or doubled.
WITH latest AS (
    SELECT * FROM raw.census_imports r
    WHERE strftime(period, '%Y-%m-%d') IN (SELECT unnest($keys))
      AND vintage = (SELECT max(vintage) FROM raw.census_imports x WHERE x.period = r.period)
),
detail AS (
    SELECT period, cty_code, left(i_commodity, 2) AS chapter,
           sum(try_cast(con_val_mo AS DOUBLE)) AS value
    -- a country's own requests (the all-partner answers of the mineral lines repeat rows)
    FROM latest WHERE coalesce(comm_lvl, 'HS10') = 'HS10' AND contains(request, 'CTY_CODE=')
    GROUP BY ALL
),
totals AS (
    SELECT period, cty_code, i_commodity AS chapter,
           sum(try_cast(con_val_mo AS DOUBLE)) AS value
    FROM latest WHERE comm_lvl = 'HS2' GROUP BY ALL
)
SELECT strftime(t.period, '%Y-%m') AS partition,
       printf('%s chapter %s: HS10 rows %.0f vs total %.0f', t.cty_code, t.chapter,
              coalesce(d.value, 0), t.value) AS value
FROM totals t LEFT JOIN detail d USING (period, cty_code, chapter)
WHERE abs(coalesce(d.value, 0) - t.value) > 0.005 * t.value
