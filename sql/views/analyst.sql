-- analyst.*: views of the main tables with plain column names, in the published copy only (this
-- file sorts after sql/staging and sql/marts, whose tables the views read)
-- name: ddl
CREATE SCHEMA IF NOT EXISTS analyst;
CREATE OR REPLACE VIEW analyst.imports AS
SELECT period AS month, cty_code AS country_code, cty_name AS country, hs10,
       description, rate_provision, con_val AS customs_value_usd,
       gen_val AS general_imports_value_usd, dut_val AS dutiable_value_usd,
       cal_dut AS calculated_duty_usd, con_qty1 AS quantity, unit_qty1 AS quantity_unit,
       last_update AS census_last_update, vintage AS census_vintage
FROM staging.imports_monthly;
COMMENT ON VIEW analyst.imports IS 'U.S. imports by month, partner, HS10 line and rate provision (staging.imports_monthly with plain column names).';
COMMENT ON COLUMN analyst.imports.month IS 'First day of the statistical month.';
COMMENT ON COLUMN analyst.imports.country_code IS 'Census country code (5880 Japan, 0003 EU, - all countries).';
COMMENT ON COLUMN analyst.imports.country IS 'Census country name.';
COMMENT ON COLUMN analyst.imports.hs10 IS 'HTS statistical line, 10 digits.';
COMMENT ON COLUMN analyst.imports.description IS 'Census description of the line.';
COMMENT ON COLUMN analyst.imports.rate_provision IS 'Census rate provision code (00 warehouse/FTZ, 10-19 free, 61 general rate, 64 special program, 69/79 Chapter 99).';
COMMENT ON COLUMN analyst.imports.customs_value_usd IS 'Customs value of imports for consumption, USD (CON_VAL_MO).';
COMMENT ON COLUMN analyst.imports.general_imports_value_usd IS 'General imports value, USD (GEN_VAL_MO).';
COMMENT ON COLUMN analyst.imports.dutiable_value_usd IS 'Dutiable value, USD (DUT_VAL_MO).';
COMMENT ON COLUMN analyst.imports.calculated_duty_usd IS 'Calculated duty, USD (CAL_DUT_MO), as computed at entry summary.';
COMMENT ON COLUMN analyst.imports.quantity IS 'First quantity (CON_QY1_MO) in quantity_unit.';
COMMENT ON COLUMN analyst.imports.quantity_unit IS 'Unit of the first quantity (UNIT_QY1), e.g. KG, NO.';
COMMENT ON COLUMN analyst.imports.census_last_update IS 'LAST_UPDATE Census reports for the month.';
COMMENT ON COLUMN analyst.imports.census_vintage IS 'When the answer this row comes from was fetched (the vintage).';

CREATE OR REPLACE VIEW analyst.exports AS
SELECT period AS month, cty_code AS country_code, cty_name AS country,
       hs10 AS schedule_b_code, description, all_val AS export_value_usd,
       qty1 AS quantity, unit_qty1 AS quantity_unit, vintage AS census_vintage
FROM staging.exports_monthly;
COMMENT ON VIEW analyst.exports IS 'U.S. exports by month, partner and Schedule B code (staging.exports_monthly with plain column names).';
COMMENT ON COLUMN analyst.exports.month IS 'First day of the statistical month.';
COMMENT ON COLUMN analyst.exports.country_code IS 'Census country code of the destination (5880 Japan).';
COMMENT ON COLUMN analyst.exports.country IS 'Census country name of the destination.';
COMMENT ON COLUMN analyst.exports.schedule_b_code IS 'Schedule B export code, 10 digits.';
COMMENT ON COLUMN analyst.exports.description IS 'Census description of the code.';
COMMENT ON COLUMN analyst.exports.export_value_usd IS 'Total export value, USD (ALL_VAL_MO).';
COMMENT ON COLUMN analyst.exports.quantity IS 'First quantity (QTY_1_MO) in quantity_unit.';
COMMENT ON COLUMN analyst.exports.quantity_unit IS 'Unit of the first quantity (UNIT_QY1).';
COMMENT ON COLUMN analyst.exports.census_vintage IS 'When the answer this row comes from was fetched (the vintage).';

CREATE OR REPLACE VIEW analyst.effective_rates AS
SELECT period AS month, cty_code AS country_code, cty_name AS country, sector,
       con_val AS customs_value_usd, dut_val AS dutiable_value_usd,
       cal_dut AS calculated_duty_usd, effective_rate,
       effective_rate_dutiable AS effective_rate_on_dutiable_value
FROM marts.effective_rates_monthly;
COMMENT ON VIEW analyst.effective_rates IS 'Collected duty / customs value by month, partner and sector (marts.effective_rates_monthly with plain column names). Rates are decimals (0.15 = 15%).';
COMMENT ON COLUMN analyst.effective_rates.month IS 'First day of the statistical month.';
COMMENT ON COLUMN analyst.effective_rates.country_code IS 'Census country code of the partner (5880 Japan, - all countries).';
COMMENT ON COLUMN analyst.effective_rates.country IS 'Census country name of the partner.';
COMMENT ON COLUMN analyst.effective_rates.sector IS 'all, autos, auto_parts, civil_aircraft, metals, pharma or other.';
COMMENT ON COLUMN analyst.effective_rates.customs_value_usd IS 'Customs value of imports for consumption, USD.';
COMMENT ON COLUMN analyst.effective_rates.dutiable_value_usd IS 'Dutiable value, USD.';
COMMENT ON COLUMN analyst.effective_rates.calculated_duty_usd IS 'Calculated duty, USD.';
COMMENT ON COLUMN analyst.effective_rates.effective_rate IS 'calculated_duty_usd / customs_value_usd; NULL when the value is 0.';
COMMENT ON COLUMN analyst.effective_rates.effective_rate_on_dutiable_value IS 'calculated_duty_usd / dutiable_value_usd; NULL when the dutiable value is 0.';

CREATE OR REPLACE VIEW analyst.line_audit AS
SELECT period AS month, hs10, description, category, mfn_rate AS column1_rate,
       agreement_rate, statutory_rate, observed_rate, con_val AS customs_value_usd,
       dut_val AS dutiable_value_usd, cal_dut AS calculated_duty_usd,
       expected_duty_statutory AS expected_duty_statutory_usd,
       expected_duty_agreement AS expected_duty_agreement_usd, excess_duty_usd,
       refundable_rate, refundable_duty_usd, stacking_overpayment_usd, status, reason,
       promise_status, hts_release,
       regime_verified AS rules_verified
FROM marts.japan_line_audit;
COMMENT ON VIEW analyst.line_audit IS 'Per HS10 line and month of imports from Japan: the rate the agreement promised, the rate the law required, the rate collected, and the dollars between them (marts.japan_line_audit with plain column names).';
COMMENT ON COLUMN analyst.line_audit.month IS 'First day of the statistical month.';
COMMENT ON COLUMN analyst.line_audit.hs10 IS 'HTS statistical line, 10 digits.';
COMMENT ON COLUMN analyst.line_audit.description IS 'Census description of the line.';
COMMENT ON COLUMN analyst.line_audit.category IS 'Product category of the ledger that decides the rules (general, autos, metals, ...).';
COMMENT ON COLUMN analyst.line_audit.column1_rate IS 'Column-1 general (MFN) rate of the line, ad valorem or its equivalent, as a decimal.';
COMMENT ON COLUMN analyst.line_audit.agreement_rate IS 'All-in rate the agreement promised, as a decimal.';
COMMENT ON COLUMN analyst.line_audit.statutory_rate IS 'All-in rate U.S. law required on the entry dates, as a decimal.';
COMMENT ON COLUMN analyst.line_audit.observed_rate IS 'Collected rate: calculated duty / customs value.';
COMMENT ON COLUMN analyst.line_audit.customs_value_usd IS 'Customs value of imports for consumption, USD.';
COMMENT ON COLUMN analyst.line_audit.dutiable_value_usd IS 'Dutiable value, USD.';
COMMENT ON COLUMN analyst.line_audit.calculated_duty_usd IS 'Calculated duty, USD.';
COMMENT ON COLUMN analyst.line_audit.expected_duty_statutory_usd IS 'Duty the law required on the customs value, USD.';
COMMENT ON COLUMN analyst.line_audit.expected_duty_agreement_usd IS 'Duty the agreement promised on the customs value, USD.';
COMMENT ON COLUMN analyst.line_audit.excess_duty_usd IS 'Duty collected above the agreement rate, USD.';
COMMENT ON COLUMN analyst.line_audit.refundable_rate IS 'The part of the statutory rate resting on IEEPA, voided by the Supreme Court (Learning Resources v. Trump): refundable, as a decimal.';
COMMENT ON COLUMN analyst.line_audit.refundable_duty_usd IS 'Refundable IEEPA duty collected (5 Apr 2025 - 23 Feb 2026), USD.';
COMMENT ON COLUMN analyst.line_audit.stacking_overpayment_usd IS 'The part of the refundable duty that was also above the law of its day (stacking filings of 7 Aug - 15 Sep 2025), USD.';
COMMENT ON COLUMN analyst.line_audit.status IS 'Against the law: conforms, over_collected, under_collected, exempt, no_duty_entry or insufficient_data.';
COMMENT ON COLUMN analyst.line_audit.reason IS 'Why the line has its status, in words.';
COMMENT ON COLUMN analyst.line_audit.promise_status IS 'Against the agreement: at_promise, below_promise or above_promise (beyond the tolerance of pipelines/ledger/audit.yaml); NULL when no day of the month has a promise.';
COMMENT ON COLUMN analyst.line_audit.hts_release IS 'The HTS release whose column-1 rate was used.';
COMMENT ON COLUMN analyst.line_audit.rules_verified IS 'Whether every ledger rule used for the line is verified against a primary text.';

CREATE OR REPLACE VIEW analyst.deal_conformance AS
SELECT period AS month, category, con_val AS customs_value_usd,
       cal_dut AS calculated_duty_usd, observed_rate, agreement_rate, statutory_rate,
       at_promise_value_share, below_promise_value_share, above_promise_value_share,
       statutory_gap_value_share, rated_value_share, unrated_value_usd, excess_duty_usd,
       refundable_duty_usd, stacking_overpayment_usd, lines_over AS lines_over_agreement,
       lines_total
FROM marts.deal_conformance_monthly;
COMMENT ON VIEW analyst.deal_conformance IS 'Per month and product category (and all): is the agreement being implemented? (marts.deal_conformance_monthly with plain column names).';
COMMENT ON COLUMN analyst.deal_conformance.month IS 'First day of the statistical month.';
COMMENT ON COLUMN analyst.deal_conformance.category IS 'Product category, or all.';
COMMENT ON COLUMN analyst.deal_conformance.customs_value_usd IS 'Customs value of imports from Japan, USD.';
COMMENT ON COLUMN analyst.deal_conformance.calculated_duty_usd IS 'Calculated duty, USD.';
COMMENT ON COLUMN analyst.deal_conformance.observed_rate IS 'Collected rate: calculated duty / customs value.';
COMMENT ON COLUMN analyst.deal_conformance.agreement_rate IS 'Expected duty under the agreement / customs value of the lines with a promise; NULL when no line has one.';
COMMENT ON COLUMN analyst.deal_conformance.statutory_rate IS 'Expected duty under U.S. law in force / con_val.';
COMMENT ON COLUMN analyst.deal_conformance.at_promise_value_share IS 'Share of the rated value with a promise collected within the tolerance of the duty promised.';
COMMENT ON COLUMN analyst.deal_conformance.below_promise_value_share IS 'Share of the rated value with a promise collected below it beyond the tolerance (preferences, FTZ and warehouse entries, exemptions, or under-collection).';
COMMENT ON COLUMN analyst.deal_conformance.above_promise_value_share IS 'Share of the rated value with a promise collected above it beyond the tolerance.';
COMMENT ON COLUMN analyst.deal_conformance.rated_value_share IS 'Share of the customs value whose statutory rate is known; every rate of the row is computed on this value.';
COMMENT ON COLUMN analyst.deal_conformance.unrated_value_usd IS 'Customs value without a statutory rate, USD (by reason in marts.unrated_value_monthly).';
COMMENT ON COLUMN analyst.deal_conformance.statutory_gap_value_share IS 'Share of value whose statutory rate exceeds the agreement rate beyond the tolerance: the law itself falls short of the promise (e.g. Section 122 stacking from 24 Feb 2026).';
COMMENT ON COLUMN analyst.deal_conformance.excess_duty_usd IS 'Duty collected above the agreement rate, USD.';
COMMENT ON COLUMN analyst.deal_conformance.refundable_duty_usd IS 'Refundable IEEPA duty collected (5 Apr 2025 - 23 Feb 2026), USD.';
COMMENT ON COLUMN analyst.deal_conformance.stacking_overpayment_usd IS 'The part of the refundable duty that was also above the law of its day (stacking filings of 7 Aug - 15 Sep 2025), USD.';
COMMENT ON COLUMN analyst.deal_conformance.lines_over_agreement IS 'HS10 lines collected above the agreement rate beyond the tolerance.';
COMMENT ON COLUMN analyst.deal_conformance.lines_total IS 'HS10 lines counted.';
