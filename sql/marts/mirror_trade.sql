-- marts.mirror_trade: each side's figure for the same flow (U.S. imports from Japan vs Japan's exports to the U.S., and the reverse) by month and HS6
-- group: indicators
-- reads: staging.imports_monthly, staging.exports_monthly, staging.japan_trade_monthly, staging.fx_monthly
-- preview: ORDER BY period DESC, direction, us_value_usd DESC
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.mirror_trade (
    period DATE NOT NULL,
    direction VARCHAR NOT NULL,
    hs6 VARCHAR NOT NULL,
    us_value_usd DOUBLE,
    japan_value_usd DOUBLE,
    japan_value_jpy DOUBLE,
    ratio DOUBLE,
    fx DOUBLE
);
COMMENT ON TABLE marts.mirror_trade IS 'Mirror statistics: the same flow in both countries'' books, by month, direction and HS6 subheading (sum the lines for a month''s totals). Months where either side has no data are left out. CIF vs FOB valuation, shipping time (a month at sea), classification and the exchange rate make ratios differ from 1: see marts.mirror_trade_distribution for their spread.';
COMMENT ON COLUMN marts.mirror_trade.period IS 'First day of the statistical month (each side''s own month: a shipment can fall in different months on each side).';
COMMENT ON COLUMN marts.mirror_trade.direction IS 'us_imports_from_japan (U.S. general imports from Japan, Census 5880, customs value ~FOB, vs Japan''s exports to the U.S., code 304, FOB) or us_exports_to_japan (U.S. exports to Japan, FAS, vs Japan''s imports from the U.S., CIF).';
COMMENT ON COLUMN marts.mirror_trade.hs6 IS 'International HS subheading (6 digits; Census HS10 and Japan HS9 cut to 6).';
COMMENT ON COLUMN marts.mirror_trade.us_value_usd IS 'The U.S. figure, USD: GEN_VAL_MO (general imports) or ALL_VAL_MO (exports); 0 when the U.S. reports nothing for the line.';
COMMENT ON COLUMN marts.mirror_trade.japan_value_usd IS 'Japan''s figure converted at the month''s mean rate (japan_value_jpy / fx); NULL when the month has no rate.';
COMMENT ON COLUMN marts.mirror_trade.japan_value_jpy IS 'Japan''s figure in yen (the statistics'' thousand yen x 1000); 0 when Japan reports nothing for the line.';
COMMENT ON COLUMN marts.mirror_trade.ratio IS 'japan_value_usd / us_value_usd; NULL when either side is 0 or the rate is missing. Above 1 on us_exports_to_japan is expected (CIF includes freight and insurance).';
COMMENT ON COLUMN marts.mirror_trade.fx IS 'Yen per U.S. dollar, the month''s mean of the Federal Reserve''s daily noon rates (staging.fx_monthly, DEXJPUS).';
-- name: insert
INSERT INTO marts.mirror_trade
WITH us AS (
    SELECT period, 'us_imports_from_japan' AS direction, left(hs10, 6) AS hs6,
           sum(gen_val)::DOUBLE AS us_value
    FROM staging.imports_monthly WHERE cty_code = $census_japan GROUP BY ALL
    UNION ALL
    SELECT period, 'us_exports_to_japan', left(hs10, 6), sum(all_val)::DOUBLE
    FROM staging.exports_monthly WHERE cty_code = $census_japan GROUP BY ALL
), jp AS (
    SELECT period,
           CASE direction WHEN 'export' THEN 'us_imports_from_japan'
                          ELSE 'us_exports_to_japan' END AS direction,
           hs6, sum(value_jpy_thousand) * 1000.0 AS japan_jpy
    FROM staging.japan_trade_monthly WHERE country_code = $japan_us GROUP BY ALL
), both_sides AS (
    -- only months that both sides report (otherwise every line would look one-sided)
    SELECT DISTINCT period, direction FROM us
    INTERSECT SELECT DISTINCT period, direction FROM jp
), lines AS (
    SELECT period, direction, hs6, coalesce(us.us_value, 0) AS us_value,
           coalesce(jp.japan_jpy, 0) AS japan_jpy
    FROM us FULL JOIN jp USING (period, direction, hs6)
    SEMI JOIN both_sides USING (period, direction)
)
SELECT l.period, l.direction, l.hs6, l.us_value, l.japan_jpy / fx.per_usd, l.japan_jpy,
       CASE WHEN l.us_value > 0 AND l.japan_jpy > 0
            THEN l.japan_jpy / fx.per_usd / l.us_value END,
       fx.per_usd
FROM lines l
LEFT JOIN staging.fx_monthly fx ON fx.period = l.period AND fx.currency = 'JPY'
