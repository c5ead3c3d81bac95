-- marts.effective_rates_monthly: collected duty / customs value by month, partner and sector
-- group: indicators
-- reads: staging.imports_monthly, marts.unrated_value_monthly
-- reads: staging.ledger_instruments, staging.ledger_rules, staging.ledger_categories, staging.ledger_units, staging.ledger_provisions, staging.ledger_category_sectors, staging.ledger_chapter99, staging.ledger_about
-- preview: WHERE cty_code = '5880' AND sector = 'all' ORDER BY period DESC
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.effective_rates_monthly (
    period DATE NOT NULL,
    cty_code VARCHAR NOT NULL,
    cty_name VARCHAR,
    sector VARCHAR NOT NULL,
    con_val BIGINT,
    dut_val BIGINT,
    cal_dut BIGINT,
    effective_rate DOUBLE,
    effective_rate_dutiable DOUBLE,
    rated_value_share DOUBLE,
    unrated_value_usd BIGINT,
    PRIMARY KEY (period, cty_code, sector)
);
COMMENT ON TABLE marts.effective_rates_monthly IS 'Effective (collected) tariff rate of U.S. imports by month, partner and sector: calculated duty / customs value. Sectors from pipelines/ledger/sectors.yaml (longest HS prefix wins), plus all. Rates are decimals (0.15 = 15%).';
COMMENT ON COLUMN marts.effective_rates_monthly.sector IS 'all, autos, auto_parts, civil_aircraft, metals, pharma or other.';
COMMENT ON COLUMN marts.effective_rates_monthly.con_val IS 'Customs value of imports for consumption, USD (all rate provisions, FTZ/warehouse included).';
COMMENT ON COLUMN marts.effective_rates_monthly.effective_rate IS 'cal_dut / con_val; NULL when con_val is 0.';
COMMENT ON COLUMN marts.effective_rates_monthly.effective_rate_dutiable IS 'cal_dut / dut_val: the rate on the dutiable part only; NULL when dut_val is 0.';
COMMENT ON COLUMN marts.effective_rates_monthly.rated_value_share IS 'Share of con_val whose column-1 rate resolves from the release in force and the month''s quantities: the value on which any statutory comparison can stand (the collected rates above cover all value: Census reports duty for every line).';
COMMENT ON COLUMN marts.effective_rates_monthly.unrated_value_usd IS 'Customs value whose column-1 rate does not resolve, USD; by reason in marts.unrated_value_monthly.';
COMMENT ON COLUMN marts.effective_rates_monthly.period IS 'First day of the statistical month.';
COMMENT ON COLUMN marts.effective_rates_monthly.cty_code IS 'CTY_CODE: Census country code of the partner (5880 Japan, - all countries).';
COMMENT ON COLUMN marts.effective_rates_monthly.cty_name IS 'CTY_NAME: Census country name of the partner.';
COMMENT ON COLUMN marts.effective_rates_monthly.dut_val IS 'DUT_VAL_MO summed: dutiable value, USD.';
COMMENT ON COLUMN marts.effective_rates_monthly.cal_dut IS 'CAL_DUT_MO summed: calculated duty, USD.';
-- name: inputs
-- per month, what the month's rows are computed from (pipelines/lib/incremental.py): the
-- month's imports (vintage, rows) and its rows of marts.unrated_value_monthly (a digest of
-- their content), which carry every change of the HTS lines, the releases and the ledger
-- units; the sectors are the caller's salt
WITH imports AS (
    SELECT period, strftime(max(vintage), '%Y-%m-%dT%H:%M:%S.%f') || '/' || count(*) AS inputs
    FROM staging.imports_monthly GROUP BY period
),
unrated AS (
    SELECT period, count(*) || ':' || bit_xor(hash(cty_code, sector, reason, con_val, lines))
        AS inputs
    FROM marts.unrated_value_monthly GROUP BY period
)
SELECT period, i.inputs || '/' || coalesce(u.inputs, '0')
FROM imports i LEFT JOIN unrated u USING (period)
-- name: insert
-- the months $periods (recomputed whole; the others are kept)
INSERT INTO marts.effective_rates_monthly
WITH months AS (
    SELECT * FROM staging.imports_monthly WHERE period IN (SELECT unnest($periods::DATE[]))
),
codes AS (
    SELECT DISTINCT hs10 FROM months
),
code_sector AS (
    SELECT c.hs10, p.sector
    FROM codes c JOIN _sector_prefixes p ON starts_with(c.hs10, p.prefix)
    QUALIFY row_number() OVER (PARTITION BY c.hs10 ORDER BY length(p.prefix) DESC) = 1
),
lines AS (
    SELECT i.period, i.cty_code, i.cty_name, coalesce(s.sector, 'other') AS sector,
           i.con_val, i.dut_val, i.cal_dut
    FROM months i LEFT JOIN code_sector s USING (hs10)
),
totals AS (
    SELECT period, cty_code, max(cty_name) AS cty_name, coalesce(sector, 'all') AS sector,
           sum(con_val) AS con_val, sum(dut_val) AS dut_val, sum(cal_dut) AS cal_dut
    FROM lines
    GROUP BY GROUPING SETS ((period, cty_code, sector), (period, cty_code))
),
unrated AS (
    SELECT period, cty_code, coalesce(sector, 'all') AS sector, sum(con_val) AS unrated
    FROM marts.unrated_value_monthly
    WHERE period IN (SELECT unnest($periods::DATE[]))
    GROUP BY GROUPING SETS ((period, cty_code, sector), (period, cty_code))
)
SELECT t.period, t.cty_code, t.cty_name, t.sector, t.con_val, t.dut_val, t.cal_dut,
       t.cal_dut / nullif(t.con_val, 0), t.cal_dut / nullif(t.dut_val, 0),
       round(1 - coalesce(u.unrated, 0) / nullif(t.con_val, 0), 10),
       coalesce(u.unrated, 0)
FROM totals t LEFT JOIN unrated u USING (period, cty_code, sector)
