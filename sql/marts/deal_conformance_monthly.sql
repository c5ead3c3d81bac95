-- marts.deal_conformance_monthly: per month and category, how much of Japan's trade got what the agreement promised
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.deal_conformance_monthly (
    period DATE NOT NULL,
    category VARCHAR NOT NULL,
    con_val BIGINT,
    cal_dut BIGINT,
    observed_rate DOUBLE,
    agreement_rate DOUBLE,
    statutory_rate DOUBLE,
    conforming_value_share DOUBLE,
    excess_duty_usd DOUBLE,
    refund_exposure_usd DOUBLE,
    ieepa_refund_usd DOUBLE,
    lines_over INTEGER,
    lines_total INTEGER,
    statutory_gap_value_share DOUBLE,
    PRIMARY KEY (period, category)
);
COMMENT ON TABLE marts.deal_conformance_monthly IS 'Japan''s imports by month and product category (and all): observed, promised and statutory rates, the share of value that got the agreement''s rate, and the dollars collected above it. Rates are decimals on customs value.';
COMMENT ON COLUMN marts.deal_conformance_monthly.conforming_value_share IS 'Share of the customs value of lines with a promise whose collected duty is within the audit tolerance of (or below) the agreement rate; NULL before the agreement.';
COMMENT ON COLUMN marts.deal_conformance_monthly.excess_duty_usd IS 'Duty collected above the agreement rate, USD.';
COMMENT ON COLUMN marts.deal_conformance_monthly.refund_exposure_usd IS 'Duty collected above the retroactive statutory rate (stacking filings of 7 Aug - 15 Sep 2025), USD.';
COMMENT ON COLUMN marts.deal_conformance_monthly.lines_over IS 'Lines whose collected duty exceeds the agreement rate beyond the tolerance.';
COMMENT ON COLUMN marts.deal_conformance_monthly.statutory_gap_value_share IS 'Share of value whose statutory rate exceeds the agreement rate beyond the tolerance: the law itself falls short of the promise (e.g. Section 122 stacking from 24 Feb 2026).';
COMMENT ON COLUMN marts.deal_conformance_monthly.period IS 'First day of the statistical month.';
COMMENT ON COLUMN marts.deal_conformance_monthly.category IS 'Product category from pipelines/ledger/categories.yaml as in marts.japan_line_audit, or all for the month''s total.';
COMMENT ON COLUMN marts.deal_conformance_monthly.con_val IS 'CON_VAL_MO summed: customs value of imports for consumption from Japan, USD.';
COMMENT ON COLUMN marts.deal_conformance_monthly.cal_dut IS 'CAL_DUT_MO summed: calculated duty, USD.';
COMMENT ON COLUMN marts.deal_conformance_monthly.observed_rate IS 'cal_dut / con_val: the collected rate.';
COMMENT ON COLUMN marts.deal_conformance_monthly.agreement_rate IS 'Expected duty under the agreement / customs value of the lines with a promise; NULL when no line has one.';
COMMENT ON COLUMN marts.deal_conformance_monthly.statutory_rate IS 'Expected duty under U.S. law in force / con_val.';
COMMENT ON COLUMN marts.deal_conformance_monthly.ieepa_refund_usd IS 'Duty collected above column 1 on days whose rule rested on IEEPA, USD (sum of the line audit).';
COMMENT ON COLUMN marts.deal_conformance_monthly.lines_total IS 'Number of HS10 lines imported in the month (and category).';
-- name: insert
INSERT INTO marts.deal_conformance_monthly
WITH lines AS (
    SELECT *,
           expected_duty_agreement IS NOT NULL AS promised,
           expected_duty_agreement IS NOT NULL
               AND cal_dut - expected_duty_agreement > greatest($tolerance_usd,
                                                                $tolerance_rate * con_val)
               AS over_agreement,
           expected_duty_agreement IS NOT NULL
               AND expected_duty_statutory - expected_duty_agreement
                   > greatest($tolerance_usd, $tolerance_rate * con_val) AS law_over_agreement
    FROM marts.japan_line_audit
)
-- exact DECIMAL sums of the line audit's cents, so that a rebuild gives identical tables
SELECT period, coalesce(category, 'all'),
       sum(con_val), sum(cal_dut),
       round(sum(cal_dut) / nullif(sum(con_val), 0), 10),
       round(sum(expected_duty_agreement::DECIMAL(38, 2))
             / nullif(sum(con_val) FILTER (WHERE promised), 0), 10),
       round(sum(expected_duty_statutory::DECIMAL(38, 2)) / nullif(sum(con_val), 0), 10),
       round(sum(con_val) FILTER (WHERE promised AND NOT over_agreement)
             / nullif(sum(con_val) FILTER (WHERE promised), 0), 10),
       sum(excess_duty_usd::DECIMAL(38, 2)), sum(refund_exposure_usd::DECIMAL(38, 2)),
       sum(ieepa_refund_usd::DECIMAL(38, 2)),
       count(*) FILTER (WHERE over_agreement), count(*),
       round(sum(con_val) FILTER (WHERE law_over_agreement)
             / nullif(sum(con_val) FILTER (WHERE promised), 0), 10)
FROM lines
GROUP BY GROUPING SETS ((period, category), (period))
