-- staging.imports_monthly: Census imports by HS10 x country x month x rate provision, numeric, from the latest vintage
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.imports_monthly (
    period DATE NOT NULL,
    cty_code VARCHAR NOT NULL,
    cty_name VARCHAR,
    hs10 VARCHAR NOT NULL,
    description VARCHAR,
    summary_lvl VARCHAR,
    con_val BIGINT,
    gen_val BIGINT,
    dut_val BIGINT,
    cal_dut BIGINT,
    con_qty1 DOUBLE,
    unit_qty1 VARCHAR,
    rate_provision VARCHAR NOT NULL,
    last_update DATE,
    vintage TIMESTAMP
);
COMMENT ON TABLE staging.imports_monthly IS 'U.S. imports for consumption by HS10, country, month and rate provision (Census imports/hs), in U.S. dollars, from the latest vintage of each month; rows that fail a row-level check are in quarantine.imports_monthly; partition key: period.';
COMMENT ON COLUMN staging.imports_monthly.period IS 'First day of the statistical month.';
COMMENT ON COLUMN staging.imports_monthly.cty_code IS 'Census country code (5880 Japan, 0003 European Union, - all countries).';
COMMENT ON COLUMN staging.imports_monthly.summary_lvl IS 'DET for a single country, CGP for a group or the all-countries total (do not add CGP rows to DET rows).';
COMMENT ON COLUMN staging.imports_monthly.con_val IS 'CON_VAL_MO: customs value of imports for consumption, USD.';
COMMENT ON COLUMN staging.imports_monthly.gen_val IS 'GEN_VAL_MO: general imports value, USD.';
COMMENT ON COLUMN staging.imports_monthly.dut_val IS 'DUT_VAL_MO: dutiable value, USD.';
COMMENT ON COLUMN staging.imports_monthly.cal_dut IS 'CAL_DUT_MO: calculated duty at entry summary, USD.';
COMMENT ON COLUMN staging.imports_monthly.con_qty1 IS 'CON_QY1_MO: first quantity in unit_qty1.';
COMMENT ON COLUMN staging.imports_monthly.unit_qty1 IS 'UNIT_QY1 as Census writes it (KG, NO, T, L, BBL, DOZ, X = no quantity, ...).';
COMMENT ON COLUMN staging.imports_monthly.rate_provision IS 'RP: 00 warehouse/FTZ, 10-19 free, 61 general rate, 62 column 2, 64 special (FTA), 69 Chapter 99 with duty, 70 various, 79 Chapter 99 no duty.';
COMMENT ON COLUMN staging.imports_monthly.last_update IS 'LAST_UPDATE: when Census last revised the figures.';
COMMENT ON COLUMN staging.imports_monthly.vintage IS 'The raw vintage the row comes from: the latest source revision of the month (raw vintage).';
COMMENT ON COLUMN staging.imports_monthly.cty_name IS 'CTY_NAME: Census country name (e.g. JAPAN).';
COMMENT ON COLUMN staging.imports_monthly.hs10 IS 'I_COMMODITY: 10-digit HTS statistical number without dots.';
COMMENT ON COLUMN staging.imports_monthly.description IS 'I_COMMODITY_LDESC, else I_COMMODITY_SDESC: Census description of the HS10 line.';
-- name: latest
-- the latest vintage of the month, each row numbered (row_id: its rowid in the raw table, in
-- the raw table's order; row_number() OVER () would run single-threaded)
CREATE OR REPLACE TEMP TABLE _latest AS
WITH month AS (
    SELECT rowid AS row_id, * FROM raw.census_imports
    WHERE period = $period::DATE
      AND vintage = (SELECT max(vintage) FROM raw.census_imports WHERE period = $period::DATE)
      -- chapter totals (COMM_LVL HS2) reconcile the detail; they are not lines
      AND coalesce(comm_lvl, 'HS10') = 'HS10'
)
SELECT *
FROM month m
-- An answer without CTY_CODE (the all-partner query of the critical-mineral lines) adds the
-- single countries' (DET) rows that no country request of the month already carries; groups
-- and totals come from their own requests.
WHERE contains(m.request, 'CTY_CODE=')
   OR (m.summary_lvl = 'DET' AND NOT EXISTS (
       SELECT 1 FROM month c
       WHERE contains(c.request, 'CTY_CODE=') AND c.i_commodity = m.i_commodity
         AND c.cty_code = m.cty_code))
-- name: flags
CREATE OR REPLACE TEMP TABLE _flags AS
WITH numeric_fields AS (
    SELECT row_id, unnest(['GEN_VAL_MO', 'CON_VAL_MO', 'DUT_VAL_MO', 'CAL_DUT_MO',
                           'CON_QY1_MO']) AS field,
           unnest([gen_val_mo, con_val_mo, dut_val_mo, cal_dut_mo, con_qy1_mo]) AS value
    FROM _latest
),
requested AS (
    SELECT row_id, replace(regexp_extract(request, 'CTY_CODE=([^_/.]+)', 1), 'ALL', '-')
               AS requested_country
    FROM _latest
)
SELECT row_id, 'hs10_format' AS rule, 'I_COMMODITY' AS field, i_commodity AS value,
       'not a 10-digit HS code' AS reason
FROM _latest WHERE NOT regexp_full_match(coalesce(i_commodity, ''), '\d{10}')
UNION ALL
SELECT row_id, 'country_format', 'CTY_CODE', cty_code, 'not a 4-digit Census country code or -'
FROM _latest WHERE NOT regexp_full_match(coalesce(cty_code, ''), '\d{4}|-')
UNION ALL
SELECT l.row_id, 'country_not_requested', 'CTY_CODE', l.cty_code,
       'country differs from the request''s CTY_CODE=' || r.requested_country
FROM _latest l JOIN requested r USING (row_id)
WHERE r.requested_country <> '' AND l.cty_code IS DISTINCT FROM r.requested_country
  AND regexp_full_match(coalesce(l.cty_code, ''), '\d{4}|-')
UNION ALL
SELECT row_id, 'not_numeric', field, value,
       CASE WHEN try_cast(value AS DOUBLE) IS NULL THEN 'not a number'
            ELSE 'not a whole number written as digits' END
FROM numeric_fields
-- one constant pattern per branch: a pattern chosen per row is compiled per row (seconds a
-- national month)
WHERE value IS NOT NULL AND NOT CASE WHEN field = 'CON_QY1_MO'
      THEN regexp_full_match(trim(value), '-?\d+(\.\d+)?')
      ELSE regexp_full_match(trim(value), '-?\d+') END
UNION ALL
SELECT row_id, 'missing_value', field, NULL,
       'no value (null): Census reports every line''s ' || field || ', 0 when there is none'
FROM numeric_fields WHERE value IS NULL AND field IN ('CON_VAL_MO', 'CAL_DUT_MO')
UNION ALL
SELECT row_id, 'negative', field, value, 'negative value'
FROM numeric_fields WHERE try_cast(value AS DOUBLE) < 0
UNION ALL
SELECT row_id, 'duplicate_key', 'I_COMMODITY/CTY_CODE/RP',
       i_commodity || '/' || cty_code || '/' || coalesce(rp, ''),
       'more than one row for the same line, country and rate provision'
FROM _latest
QUALIFY count(*) OVER (PARTITION BY i_commodity, cty_code, rp) > 1
-- name: row_values
-- the month's values the plausibility rules judge (sql/staging/census_plausibility.sql)
CREATE OR REPLACE TEMP VIEW _row_values AS
SELECT row_id, cty_code, i_commodity AS hs10, 'CON_VAL_MO' AS field, con_val_mo AS raw,
       try_cast(con_val_mo AS DOUBLE) AS value
FROM _latest
UNION ALL
SELECT row_id, cty_code, i_commodity, 'CAL_DUT_MO', cal_dut_mo, try_cast(cal_dut_mo AS DOUBLE)
FROM _latest
-- name: staged_values
-- the same values of the months already staged: the rules' history
CREATE OR REPLACE TEMP VIEW _staged_values AS
SELECT period, cty_code, hs10, 'CON_VAL_MO' AS field, con_val AS value
FROM staging.imports_monthly
UNION ALL
SELECT period, cty_code, hs10, 'CAL_DUT_MO', cal_dut FROM staging.imports_monthly
-- name: quarantine
INSERT INTO quarantine.imports_monthly
SELECT l.period, l.vintage, l.request, l.fetched_at, f.rule, f.field, f.value, f.reason,
       json_remove(to_json(l), '$.row_id')
FROM _flags f JOIN _latest l USING (row_id)
-- name: insert
INSERT INTO staging.imports_monthly
SELECT period, cty_code, cty_name, i_commodity, coalesce(i_commodity_ldesc, i_commodity_sdesc),
       summary_lvl, con_val_mo::BIGINT, gen_val_mo::BIGINT, dut_val_mo::BIGINT,
       cal_dut_mo::BIGINT, con_qy1_mo::DOUBLE, unit_qy1, coalesce(rp, ''),
       try_cast(last_update AS DATE), vintage
FROM _latest
WHERE row_id NOT IN (SELECT row_id FROM _flags)
