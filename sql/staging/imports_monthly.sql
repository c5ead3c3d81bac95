-- staging.imports_monthly: Census imports by HS10 x country x month x rate provision, numeric
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
    last_update DATE
);
COMMENT ON TABLE staging.imports_monthly IS 'U.S. imports for consumption by HS10, country, month and rate provision (Census imports/hs), in U.S. dollars; partition key: period.';
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
-- name: bad_values
SELECT field, request, value FROM (
    SELECT 'I_COMMODITY' AS field, request, i_commodity AS value,
           NOT regexp_full_match(coalesce(i_commodity, ''), '\d{10}') AS bad FROM raw.census_imports WHERE period = $period::DATE
    UNION ALL SELECT 'CTY_CODE', request, cty_code, cty_code IS NULL OR cty_code = '' FROM raw.census_imports WHERE period = $period::DATE
    UNION ALL SELECT 'GEN_VAL_MO', request, gen_val_mo, gen_val_mo IS NOT NULL AND try_cast(gen_val_mo AS BIGINT) IS NULL FROM raw.census_imports WHERE period = $period::DATE
    UNION ALL SELECT 'CON_VAL_MO', request, con_val_mo, con_val_mo IS NOT NULL AND try_cast(con_val_mo AS BIGINT) IS NULL FROM raw.census_imports WHERE period = $period::DATE
    UNION ALL SELECT 'DUT_VAL_MO', request, dut_val_mo, dut_val_mo IS NOT NULL AND try_cast(dut_val_mo AS BIGINT) IS NULL FROM raw.census_imports WHERE period = $period::DATE
    UNION ALL SELECT 'CAL_DUT_MO', request, cal_dut_mo, cal_dut_mo IS NOT NULL AND try_cast(cal_dut_mo AS BIGINT) IS NULL FROM raw.census_imports WHERE period = $period::DATE
    UNION ALL SELECT 'CON_QY1_MO', request, con_qy1_mo, con_qy1_mo IS NOT NULL AND try_cast(con_qy1_mo AS DOUBLE) IS NULL FROM raw.census_imports WHERE period = $period::DATE
)
WHERE bad
ORDER BY field, request
LIMIT 1
-- name: duplicates
SELECT i_commodity, cty_code, coalesce(rp, ''), count(*), string_agg(DISTINCT request, ', ')
FROM raw.census_imports WHERE period = $period::DATE
GROUP BY ALL HAVING count(*) > 1
LIMIT 1
-- name: insert
INSERT INTO staging.imports_monthly
SELECT period, cty_code, cty_name, i_commodity, coalesce(i_commodity_ldesc, i_commodity_sdesc),
       summary_lvl, con_val_mo::BIGINT, gen_val_mo::BIGINT, dut_val_mo::BIGINT,
       cal_dut_mo::BIGINT, con_qy1_mo::DOUBLE, unit_qy1, coalesce(rp, ''),
       try_cast(last_update AS DATE)
FROM raw.census_imports
WHERE period = $period::DATE
