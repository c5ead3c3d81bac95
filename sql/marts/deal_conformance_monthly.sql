-- marts.deal_conformance_monthly: per month and category, how Japan's trade fared against the agreement's promise and the law, on the value that has a rate
-- group: audit
-- reads: marts.japan_line_audit
-- preview: WHERE category = 'all' ORDER BY period
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.deal_conformance_monthly (
    period DATE NOT NULL,
    category VARCHAR NOT NULL,
    con_val BIGINT,
    cal_dut BIGINT,
    observed_rate DOUBLE,
    agreement_rate DOUBLE,
    statutory_rate DOUBLE,
    excess_duty_usd DOUBLE,
    refundable_duty_usd DOUBLE,
    stacking_overpayment_usd DOUBLE,
    lines_over INTEGER,
    lines_total INTEGER,
    statutory_gap_value_share DOUBLE,
    rated_value_share DOUBLE,
    unrated_value_usd BIGINT,
    statutory_low_rate DOUBLE,
    promise_days_share DOUBLE,
    at_promise_value_share DOUBLE,
    below_promise_value_share DOUBLE,
    above_promise_value_share DOUBLE,
    PRIMARY KEY (period, category)
);
COMMENT ON TABLE marts.deal_conformance_monthly IS 'Japan''s imports by month and product category (and all): observed, promised and statutory rates on the value that has a rate (rated_value_share of the customs value; the rest is listed by reason in marts.unrated_value_monthly), the shares of the promised value collected at, below and above the promise, and the dollars collected above it. Rates are decimals on customs value.';
COMMENT ON COLUMN marts.deal_conformance_monthly.excess_duty_usd IS 'Duty collected above the agreement rate, USD (days without a promise count at the statutory rate).';
COMMENT ON COLUMN marts.deal_conformance_monthly.refundable_duty_usd IS 'Refundable duty collected (IEEPA duties of 5 Apr 2025 - 23 Feb 2026, voided by Learning Resources v. Trump), USD: sum of marts.japan_line_audit.refundable_duty_usd.';
COMMENT ON COLUMN marts.deal_conformance_monthly.stacking_overpayment_usd IS 'The part of refundable_duty_usd that was also above the law of its day (stacking filings of 7 Aug - 15 Sep 2025 above the retroactive max(15 %, column 1)), USD.';
COMMENT ON COLUMN marts.deal_conformance_monthly.lines_over IS 'Lines whose collected duty exceeds the agreement rate beyond the tolerance (promise_status above_promise).';
COMMENT ON COLUMN marts.deal_conformance_monthly.statutory_gap_value_share IS 'Share of the rated value with a promise whose statutory rate exceeds the agreement rate beyond the tolerance: the law itself falls short of the promise (e.g. Section 122 stacking from 24 Feb 2026).';
COMMENT ON COLUMN marts.deal_conformance_monthly.period IS 'First day of the statistical month.';
COMMENT ON COLUMN marts.deal_conformance_monthly.category IS 'Product category from pipelines/ledger/categories.yaml as in marts.japan_line_audit (the category of the month''s last day), or all for the month''s total; staging.ledger_category_sectors maps categories to report sectors.';
COMMENT ON COLUMN marts.deal_conformance_monthly.con_val IS 'CON_VAL_MO summed: customs value of all imports for consumption from Japan, USD (rated or not).';
COMMENT ON COLUMN marts.deal_conformance_monthly.cal_dut IS 'CAL_DUT_MO summed: calculated duty of all imports, USD.';
COMMENT ON COLUMN marts.deal_conformance_monthly.observed_rate IS 'Collected duty / customs value of the lines that have a statutory rate (the same value as statutory_rate, so the rates compare like with like).';
COMMENT ON COLUMN marts.deal_conformance_monthly.agreement_rate IS 'Promised duty / customs value of the rated lines with a promise, over the days with a promise only; NULL when no line has one.';
COMMENT ON COLUMN marts.deal_conformance_monthly.statutory_rate IS 'Duty U.S. law required (high bound of a range) / customs value of the lines that have a statutory rate.';
COMMENT ON COLUMN marts.deal_conformance_monthly.statutory_low_rate IS 'Low bound of the statutory expectation (quota, use-based exceptions, JP preference of answers without rate provision) / the same rated value.';
COMMENT ON COLUMN marts.deal_conformance_monthly.lines_total IS 'Number of HS10 lines imported in the month (and category).';
COMMENT ON COLUMN marts.deal_conformance_monthly.rated_value_share IS 'Share of the customs value whose statutory rate is known (line audit status other than insufficient_data); every rate of the row is computed on this value.';
COMMENT ON COLUMN marts.deal_conformance_monthly.unrated_value_usd IS 'Customs value without a statutory rate (low-value estimates, specific rates without a usable quantity, rates on bases Census does not report), USD; by reason in marts.unrated_value_monthly.';
COMMENT ON COLUMN marts.deal_conformance_monthly.promise_days_share IS 'Value-weighted share of the month''s days on which a promise applied (1 once the agreement is in force; between 0 and 1 in September 2025 for autos, parts and aircraft).';
COMMENT ON COLUMN marts.deal_conformance_monthly.at_promise_value_share IS 'Share of the rated value with a promise whose collected duty is within the promise tolerance of pipelines/ledger/audit.yaml of the duty promised (at_promise).';
COMMENT ON COLUMN marts.deal_conformance_monthly.below_promise_value_share IS 'Share of the rated value with a promise collected below the promise beyond the tolerance (below_promise: preferences, FTZ and warehouse entries, exemptions, or under-collection).';
COMMENT ON COLUMN marts.deal_conformance_monthly.above_promise_value_share IS 'Share of the rated value with a promise collected above the promise beyond the tolerance (above_promise).';
-- name: insert
INSERT INTO marts.deal_conformance_monthly
WITH lines AS (
    SELECT *,
           status <> 'insufficient_data' AS rated,
           status <> 'insufficient_data' AND promise_status IS NOT NULL AS promised,
           promise_status IS NOT NULL
               AND expected_duty_statutory - expected_duty_agreement
                   > greatest($tolerance_usd, $tolerance_rate * con_val) AS law_over_agreement
    FROM marts.japan_line_audit
)
-- exact DECIMAL sums of the line audit's cents, so that a rebuild gives identical tables
SELECT period, coalesce(category, 'all'),
       sum(con_val), sum(cal_dut),
       round(sum(cal_dut) FILTER (WHERE rated) / nullif(sum(con_val) FILTER (WHERE rated), 0), 10),
       round(sum((agreement_rate * con_val)::DECIMAL(38, 2)) FILTER (WHERE promised)
             / nullif(sum(con_val) FILTER (WHERE promised), 0), 10),
       round(sum(expected_duty_statutory::DECIMAL(38, 2)) FILTER (WHERE rated)
             / nullif(sum(con_val) FILTER (WHERE rated), 0), 10),
       sum(excess_duty_usd::DECIMAL(38, 2)), sum(refundable_duty_usd::DECIMAL(38, 2)),
       sum(stacking_overpayment_usd::DECIMAL(38, 2)),
       count(*) FILTER (WHERE promise_status = 'above_promise'), count(*),
       round(sum(con_val) FILTER (WHERE promised AND law_over_agreement)
             / nullif(sum(con_val) FILTER (WHERE promised), 0), 10),
       round(coalesce(sum(con_val) FILTER (WHERE rated), 0) / nullif(sum(con_val), 0), 10),
       coalesce(sum(con_val) FILTER (WHERE NOT rated), 0),
       round(sum(expected_duty_statutory_low::DECIMAL(38, 2)) FILTER (WHERE rated)
             / nullif(sum(con_val) FILTER (WHERE rated), 0), 10),
       round(sum((promise_days_share * con_val)::DECIMAL(38, 2)) / nullif(sum(con_val), 0), 10),
       round(sum(con_val) FILTER (WHERE promised AND promise_status = 'at_promise')
             / nullif(sum(con_val) FILTER (WHERE promised), 0), 10),
       round(sum(con_val) FILTER (WHERE promised AND promise_status = 'below_promise')
             / nullif(sum(con_val) FILTER (WHERE promised), 0), 10),
       round(sum(con_val) FILTER (WHERE promised AND promise_status = 'above_promise')
             / nullif(sum(con_val) FILTER (WHERE promised), 0), 10)
FROM lines
GROUP BY GROUPING SETS ((period, category), (period))
