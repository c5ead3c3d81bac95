-- staging.exports_monthly: U.S. exports by Schedule B 10-digit x country x month, numeric
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.exports_monthly (
    period DATE NOT NULL,
    cty_code VARCHAR NOT NULL,
    cty_name VARCHAR,
    hs10 VARCHAR NOT NULL,
    description VARCHAR,
    all_val BIGINT,
    qty1 DOUBLE,
    unit_qty1 VARCHAR
);
COMMENT ON TABLE staging.exports_monthly IS 'U.S. total exports by Schedule B 10-digit code, country and month (Census exports/hs), USD; partition key: period.';
COMMENT ON COLUMN staging.exports_monthly.hs10 IS 'E_COMMODITY: Schedule B 10-digit code (shares its first 6 digits with HS).';
COMMENT ON COLUMN staging.exports_monthly.all_val IS 'ALL_VAL_MO: total export value (f.a.s.), USD.';
COMMENT ON COLUMN staging.exports_monthly.qty1 IS 'QTY_1_MO: first quantity in unit_qty1.';
-- name: bad_values
SELECT field, request, value FROM (
    SELECT 'E_COMMODITY' AS field, request, e_commodity AS value,
           NOT regexp_full_match(coalesce(e_commodity, ''), '\d{10}') AS bad FROM raw.census_exports WHERE period = $period::DATE
    UNION ALL SELECT 'CTY_CODE', request, cty_code, cty_code IS NULL OR cty_code = '' FROM raw.census_exports WHERE period = $period::DATE
    UNION ALL SELECT 'ALL_VAL_MO', request, all_val_mo, all_val_mo IS NOT NULL AND try_cast(all_val_mo AS BIGINT) IS NULL FROM raw.census_exports WHERE period = $period::DATE
    UNION ALL SELECT 'QTY_1_MO', request, qty_1_mo, qty_1_mo IS NOT NULL AND try_cast(qty_1_mo AS DOUBLE) IS NULL FROM raw.census_exports WHERE period = $period::DATE
)
WHERE bad
ORDER BY field, request
LIMIT 1
-- name: duplicates
SELECT e_commodity, cty_code, '', count(*), string_agg(DISTINCT request, ', ')
FROM raw.census_exports WHERE period = $period::DATE
GROUP BY ALL HAVING count(*) > 1
LIMIT 1
-- name: insert
INSERT INTO staging.exports_monthly
SELECT period, cty_code, cty_name, e_commodity, e_commodity_ldesc, all_val_mo::BIGINT,
       qty_1_mo::DOUBLE, unit_qy1
FROM raw.census_exports
WHERE period = $period::DATE
