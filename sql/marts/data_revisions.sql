-- marts.data_revisions: what each new Census vintage of a month changed, value by value
-- group: trade
-- reads: raw.census_imports
-- preview: ORDER BY new_vintage DESC, period DESC
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.data_revisions (
    period DATE NOT NULL,
    cty_code VARCHAR,
    hs10 VARCHAR,
    rate_provision VARCHAR,
    field VARCHAR NOT NULL,
    old_value VARCHAR,
    new_value VARCHAR,
    old_vintage TIMESTAMP NOT NULL,
    new_vintage TIMESTAMP NOT NULL
);
COMMENT ON TABLE marts.data_revisions IS 'Every value a new vintage (fetch) of a month of Census imports changed against the vintage before it: revised values, rows that appeared or disappeared (field = row), and once per month the revision date (field = LAST_UPDATE, the latest of each vintage; no country or line). Lets an audit figure be traced to the data it was computed from.';
COMMENT ON COLUMN marts.data_revisions.field IS 'The Census variable (CON_VAL_MO, DUT_VAL_MO, CAL_DUT_MO, GEN_VAL_MO, CON_QY1_MO), row for a row added or removed, or LAST_UPDATE for the month''s revision date (one row per month and vintage).';
COMMENT ON COLUMN marts.data_revisions.old_value IS 'Value in the older vintage, as served (NULL when the row is new).';
COMMENT ON COLUMN marts.data_revisions.new_value IS 'Value in the newer vintage, as served (NULL when the row was removed).';
COMMENT ON COLUMN marts.data_revisions.old_vintage IS 'The older vintage (raw.census_imports.vintage).';
COMMENT ON COLUMN marts.data_revisions.new_vintage IS 'The newer vintage.';
COMMENT ON COLUMN marts.data_revisions.period IS 'First day of the statistical month revised.';
COMMENT ON COLUMN marts.data_revisions.cty_code IS 'CTY_CODE of the revised row: Census country code (NULL on the month''s LAST_UPDATE row).';
COMMENT ON COLUMN marts.data_revisions.hs10 IS 'I_COMMODITY of the revised row: HS10 without dots (NULL on the month''s LAST_UPDATE row).';
COMMENT ON COLUMN marts.data_revisions.rate_provision IS 'RP of the revised row (empty when the answer had no RP; NULL on the month''s LAST_UPDATE row).';
-- name: inputs
-- per month, the vintages loaded (pipelines/lib/incremental.py)
SELECT period, string_agg(DISTINCT strftime(vintage, '%Y-%m-%dT%H:%M:%S.%f'), ',' ORDER BY
                          strftime(vintage, '%Y-%m-%dT%H:%M:%S.%f'))
FROM raw.census_imports GROUP BY period
-- name: insert
-- the months $periods (recomputed whole; the others are kept)
INSERT INTO marts.data_revisions
WITH vintages AS (
    SELECT period, vintage AS new_vintage,
           lag(vintage) OVER (PARTITION BY period ORDER BY vintage) AS old_vintage
    FROM (SELECT DISTINCT period, vintage FROM raw.census_imports
          WHERE period IN (SELECT unnest($periods::DATE[])))
),
cells AS (
    SELECT period, vintage, cty_code, i_commodity AS hs10, coalesce(rp, '') AS rate_provision,
           unnest(['row', 'CON_VAL_MO', 'DUT_VAL_MO', 'CAL_DUT_MO', 'GEN_VAL_MO',
                   'CON_QY1_MO']) AS field,
           unnest(['present', con_val_mo, dut_val_mo, cal_dut_mo, gen_val_mo,
                   con_qy1_mo]) AS value
    FROM raw.census_imports
    WHERE period IN (SELECT period FROM vintages WHERE old_vintage IS NOT NULL)
      AND coalesce(comm_lvl, 'HS10') = 'HS10'
),
newer AS (
    SELECT v.period, v.old_vintage, v.new_vintage, c.cty_code, c.hs10, c.rate_provision,
           c.field, c.value
    FROM vintages v JOIN cells c ON c.period = v.period AND c.vintage = v.new_vintage
    WHERE v.old_vintage IS NOT NULL
),
older AS (
    SELECT v.period, v.old_vintage, v.new_vintage, c.cty_code, c.hs10, c.rate_provision,
           c.field, c.value
    FROM vintages v JOIN cells c ON c.period = v.period AND c.vintage = v.old_vintage
),
-- Census stamps every row of a revised month with the new LAST_UPDATE: the revision date is
-- the month's, so it is recorded once per month (the latest of each vintage), never per row
revision_dates AS (
    SELECT v.period, v.old_vintage, v.new_vintage,
           max(r.last_update) FILTER (WHERE r.vintage = v.old_vintage) AS old_value,
           max(r.last_update) FILTER (WHERE r.vintage = v.new_vintage) AS new_value
    FROM vintages v JOIN raw.census_imports r
      ON r.period = v.period AND r.vintage IN (v.old_vintage, v.new_vintage)
         AND coalesce(r.comm_lvl, 'HS10') = 'HS10'
    WHERE v.old_vintage IS NOT NULL
    GROUP BY ALL
),
compared AS (
    SELECT coalesce(n.period, o.period) AS period,
           coalesce(n.cty_code, o.cty_code) AS cty_code, coalesce(n.hs10, o.hs10) AS hs10,
           coalesce(n.rate_provision, o.rate_provision) AS rate_provision,
           coalesce(n.field, o.field) AS field, o.value AS old_value, n.value AS new_value,
           coalesce(n.old_vintage, o.old_vintage) AS old_vintage,
           coalesce(n.new_vintage, o.new_vintage) AS new_vintage,
           n.period IS NULL OR o.period IS NULL AS row_changed
    FROM newer n
    FULL JOIN older o
      ON n.period = o.period AND n.new_vintage = o.new_vintage AND n.cty_code = o.cty_code
     AND n.hs10 = o.hs10 AND n.rate_provision = o.rate_provision AND n.field = o.field
)
SELECT period, cty_code, hs10, rate_provision, field,
       CASE WHEN field = 'row' THEN CASE WHEN old_value IS NULL THEN NULL ELSE 'present' END
            ELSE old_value END,
       CASE WHEN field = 'row' THEN CASE WHEN new_value IS NULL THEN NULL ELSE 'present' END
            ELSE new_value END,
       old_vintage, new_vintage
FROM compared
WHERE old_value IS DISTINCT FROM new_value
  -- a row that appeared or vanished is reported once, as field 'row'
  AND (field = 'row' OR NOT row_changed)
UNION ALL
SELECT period, NULL, NULL, NULL, 'LAST_UPDATE', old_value, new_value, old_vintage, new_vintage
FROM revision_dates
WHERE old_value IS DISTINCT FROM new_value
