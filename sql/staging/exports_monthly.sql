-- staging.exports_monthly: U.S. exports by Schedule B 10-digit x country x month, numeric, from the latest vintage
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.exports_monthly (
    period DATE NOT NULL,
    cty_code VARCHAR NOT NULL,
    cty_name VARCHAR,
    hs10 VARCHAR NOT NULL,
    description VARCHAR,
    all_val BIGINT,
    qty1 DOUBLE,
    unit_qty1 VARCHAR,
    vintage TIMESTAMP
);
COMMENT ON TABLE staging.exports_monthly IS 'U.S. total exports by Schedule B 10-digit code, country and month (Census exports/hs), USD, from the latest vintage of each month; partition key: period.';
COMMENT ON COLUMN staging.exports_monthly.hs10 IS 'E_COMMODITY: Schedule B 10-digit code (shares its first 6 digits with HS).';
COMMENT ON COLUMN staging.exports_monthly.all_val IS 'ALL_VAL_MO: total export value (f.a.s.), USD.';
COMMENT ON COLUMN staging.exports_monthly.qty1 IS 'QTY_1_MO: first quantity in unit_qty1.';
COMMENT ON COLUMN staging.exports_monthly.vintage IS 'The raw vintage the row comes from: the latest source revision of the month (raw vintage).';
COMMENT ON COLUMN staging.exports_monthly.period IS 'First day of the statistical month.';
COMMENT ON COLUMN staging.exports_monthly.cty_code IS 'CTY_CODE: Census country code (5880 Japan, - all countries).';
COMMENT ON COLUMN staging.exports_monthly.cty_name IS 'CTY_NAME: Census country name (e.g. JAPAN).';
COMMENT ON COLUMN staging.exports_monthly.description IS 'E_COMMODITY_LDESC: long description of the Schedule B code.';
COMMENT ON COLUMN staging.exports_monthly.unit_qty1 IS 'UNIT_QY1: unit of qty1 as Census writes it (KG, NO, T, X = no quantity, ...).';
-- name: latest
-- the latest vintage of the month, each row numbered (row_id: its rowid in the raw table, in
-- the raw table's order; row_number() OVER () would run single-threaded)
CREATE OR REPLACE TEMP TABLE _latest AS
SELECT rowid AS row_id, *
FROM raw.census_exports
WHERE period = $period::DATE
  AND vintage = (SELECT max(vintage) FROM raw.census_exports WHERE period = $period::DATE)
  -- chapter totals (COMM_LVL HS2) reconcile the detail; they are not lines
  AND coalesce(comm_lvl, 'HS10') = 'HS10'
-- name: flags
CREATE OR REPLACE TEMP TABLE _flags AS
WITH numeric_fields AS (
    SELECT row_id, unnest(['ALL_VAL_MO', 'QTY_1_MO']) AS field,
           unnest([all_val_mo, qty_1_mo]) AS value
    FROM _latest
),
requested AS (
    SELECT row_id, replace(regexp_extract(request, 'CTY_CODE=([^_/.]+)', 1), 'ALL', '-')
               AS requested_country
    FROM _latest
)
SELECT row_id, 'hs10_format' AS rule, 'E_COMMODITY' AS field, e_commodity AS value,
       'not a 10-digit Schedule B code' AS reason
FROM _latest WHERE NOT regexp_full_match(coalesce(e_commodity, ''), '\d{10}')
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
WHERE value IS NOT NULL AND NOT CASE WHEN field = 'QTY_1_MO'
      THEN regexp_full_match(trim(value), '-?\d+(\.\d+)?')
      ELSE regexp_full_match(trim(value), '-?\d+') END
UNION ALL
SELECT row_id, 'missing_value', field, NULL,
       'no value (null): Census reports every line''s ' || field || ', 0 when there is none'
FROM numeric_fields WHERE value IS NULL AND field = 'ALL_VAL_MO'
UNION ALL
SELECT row_id, 'negative', field, value, 'negative value'
FROM numeric_fields WHERE try_cast(value AS DOUBLE) < 0
UNION ALL
SELECT row_id, 'duplicate_key', 'E_COMMODITY/CTY_CODE', e_commodity || '/' || cty_code,
       'more than one row for the same code and country'
FROM _latest
QUALIFY count(*) OVER (PARTITION BY e_commodity, cty_code) > 1
-- name: row_values
-- the month's values the plausibility rules judge (sql/staging/census_plausibility.sql)
CREATE OR REPLACE TEMP VIEW _row_values AS
SELECT row_id, cty_code, e_commodity AS hs10, 'ALL_VAL_MO' AS field, all_val_mo AS raw,
       try_cast(all_val_mo AS DOUBLE) AS value
FROM _latest
-- name: staged_values
-- the same values of the months already staged: the rules' history
CREATE OR REPLACE TEMP VIEW _staged_values AS
SELECT period, cty_code, hs10, 'ALL_VAL_MO' AS field, all_val AS value
FROM staging.exports_monthly
-- name: quarantine
INSERT INTO quarantine.exports_monthly
SELECT l.period, l.vintage, l.request, l.fetched_at, f.rule, f.field, f.value, f.reason,
       json_remove(to_json(l), '$.row_id')
FROM _flags f JOIN _latest l USING (row_id)
-- name: insert
INSERT INTO staging.exports_monthly
SELECT period, cty_code, cty_name, e_commodity, e_commodity_ldesc, all_val_mo::BIGINT,
       qty_1_mo::DOUBLE, unit_qy1, vintage
FROM _latest
WHERE row_id NOT IN (SELECT row_id FROM _flags)
