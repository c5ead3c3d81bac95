-- marts.mirror_trade_distribution: how far the two countries' books agree, line by line: the spread of the HS6 ratios of marts.mirror_trade
-- group: indicators
-- reads: marts.mirror_trade
-- preview: ORDER BY period DESC, direction
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.mirror_trade_distribution (
    period DATE NOT NULL,
    direction VARCHAR NOT NULL,
    lines INTEGER NOT NULL,
    lines_both_sides INTEGER NOT NULL,
    us_value_usd DOUBLE,
    japan_value_usd DOUBLE,
    total_ratio DOUBLE,
    p10_ratio DOUBLE,
    p25_ratio DOUBLE,
    median_ratio DOUBLE,
    p75_ratio DOUBLE,
    p90_ratio DOUBLE,
    value_share_within_10pct DOUBLE,
    us_value_share_one_sided DOUBLE,
    japan_value_share_one_sided DOUBLE
);
COMMENT ON TABLE marts.mirror_trade_distribution IS 'Per month and direction, the distribution of the HS6 mirror ratios (Japan''s figure / the U.S. figure): totals can agree while lines disagree, so the quantiles, the value share of lines within 10% and the value only one side reports are shown.';
COMMENT ON COLUMN marts.mirror_trade_distribution.period IS 'First day of the statistical month.';
COMMENT ON COLUMN marts.mirror_trade_distribution.direction IS 'us_imports_from_japan or us_exports_to_japan (as in marts.mirror_trade).';
COMMENT ON COLUMN marts.mirror_trade_distribution.lines IS 'HS6 lines either side reports.';
COMMENT ON COLUMN marts.mirror_trade_distribution.lines_both_sides IS 'HS6 lines both sides report (the lines with a ratio).';
COMMENT ON COLUMN marts.mirror_trade_distribution.us_value_usd IS 'The U.S. total, USD.';
COMMENT ON COLUMN marts.mirror_trade_distribution.japan_value_usd IS 'Japan''s total converted at the month''s mean rate, USD.';
COMMENT ON COLUMN marts.mirror_trade_distribution.total_ratio IS 'japan_value_usd / us_value_usd for all lines together.';
COMMENT ON COLUMN marts.mirror_trade_distribution.p10_ratio IS '10th percentile of the HS6 ratios (lines reported by both sides, unweighted).';
COMMENT ON COLUMN marts.mirror_trade_distribution.p25_ratio IS '25th percentile of the HS6 ratios.';
COMMENT ON COLUMN marts.mirror_trade_distribution.median_ratio IS 'Median HS6 ratio.';
COMMENT ON COLUMN marts.mirror_trade_distribution.p75_ratio IS '75th percentile of the HS6 ratios.';
COMMENT ON COLUMN marts.mirror_trade_distribution.p90_ratio IS '90th percentile of the HS6 ratios.';
COMMENT ON COLUMN marts.mirror_trade_distribution.value_share_within_10pct IS 'Share of the U.S. value in lines whose ratio is within 0.9-1.1 (the books agree on them).';
COMMENT ON COLUMN marts.mirror_trade_distribution.us_value_share_one_sided IS 'Share of the U.S. value in lines Japan does not report that month.';
COMMENT ON COLUMN marts.mirror_trade_distribution.japan_value_share_one_sided IS 'Share of Japan''s value in lines the U.S. does not report that month.';
-- name: insert
INSERT INTO marts.mirror_trade_distribution
WITH lines AS (SELECT * FROM marts.mirror_trade)
-- rounded: sums of fractions depend on the order of parallel aggregation in their last bits,
-- and a rebuild must give the same table
SELECT period, direction, count(*), count(ratio), round(sum(us_value_usd), 2),
       round(sum(japan_value_usd), 2),
       round(sum(japan_value_usd) / nullif(sum(us_value_usd), 0), 12),
       round(quantile_cont(ratio, 0.1), 12), round(quantile_cont(ratio, 0.25), 12),
       round(quantile_cont(ratio, 0.5), 12), round(quantile_cont(ratio, 0.75), 12),
       round(quantile_cont(ratio, 0.9), 12),
       round(sum(us_value_usd) FILTER (WHERE ratio BETWEEN 0.9 AND 1.1)
             / nullif(sum(us_value_usd), 0), 12),
       round(coalesce(sum(us_value_usd) FILTER (WHERE japan_value_jpy = 0), 0)
             / nullif(sum(us_value_usd), 0), 12),
       round(coalesce(sum(japan_value_jpy) FILTER (WHERE us_value_usd = 0), 0)
             / nullif(sum(japan_value_jpy), 0), 12)
FROM lines GROUP BY ALL
