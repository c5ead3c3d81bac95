-- marts.japan_line_audit: per HS10 line and month of imports from Japan, the promised, statutory and observed rates and the dollars between them
-- group: audit
-- reads: staging.imports_monthly WHERE cty_code = $country
-- reads: staging.hts_lines, raw.hts_releases
-- reads: staging.ledger_instruments, staging.ledger_rules, staging.ledger_categories, staging.ledger_units, staging.ledger_provisions, staging.ledger_category_sectors, staging.ledger_chapter99, staging.ledger_about
-- preview: ORDER BY period DESC, cal_dut DESC
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.japan_line_audit (
    period DATE NOT NULL,
    hs10 VARCHAR NOT NULL,
    description VARCHAR,
    category VARCHAR NOT NULL,
    regime_id VARCHAR,
    regime_verified BOOLEAN,
    mfn_rate DOUBLE,
    agreement_rate DOUBLE,
    statutory_rate DOUBLE,
    observed_rate DOUBLE,
    con_val BIGINT,
    dut_val BIGINT,
    cal_dut BIGINT,
    expected_duty_statutory DOUBLE,
    expected_duty_agreement DOUBLE,
    excess_duty_usd DOUBLE,
    refundable_rate DOUBLE,
    refundable_duty_usd DOUBLE,
    stacking_overpayment_usd DOUBLE,
    gap_observed_vs_statutory DOUBLE,
    gap_statutory_vs_agreement DOUBLE,
    status VARCHAR NOT NULL,
    reason VARCHAR,
    hts_release VARCHAR,
    rate_kind VARCHAR,
    statutory_low_rate DOUBLE,
    expected_duty_statutory_low DOUBLE,
    promise_days_share DOUBLE,
    promise_status VARCHAR,
    law_from_instrument_share DOUBLE,
    PRIMARY KEY (period, hs10)
);
COMMENT ON TABLE marts.japan_line_audit IS 'The line-level audit of U.S. implementation: for each HS10 line imported from Japan and each month, what the agreement promised, what U.S. law required and what was collected (Census calculated duty), with the dollars between them. Rates are decimals (0.15 = 15%) on the line''s whole customs value; months that mix regimes are weighted by days.';
COMMENT ON COLUMN marts.japan_line_audit.category IS 'Product category from pipelines/ledger/categories.yaml (first in precedence order), else general.';
COMMENT ON COLUMN marts.japan_line_audit.regime_id IS 'Law regime(s) in force during the month (joined by + when the month mixes regimes).';
COMMENT ON COLUMN marts.japan_line_audit.regime_verified IS 'False when any rule or instrument used for this line-month is unverified in the ledger.';
COMMENT ON COLUMN marts.japan_line_audit.mfn_rate IS 'Column-1 general rate m (ad valorem equivalent for specific and compound rates) from the HTS release(s) in force.';
COMMENT ON COLUMN marts.japan_line_audit.agreement_rate IS 'The promised rate over the days of the month that have a promise (days without one do not enter it); NULL when no day has a promise.';
COMMENT ON COLUMN marts.japan_line_audit.statutory_rate IS 'Expected duty under U.S. law in force (retroactive changes applied) / customs value; for a range (quota, use-based exceptions, or an answer without rate provision where the JP rate may have been claimed) its high bound, the rate owed without the quota, exception or preference.';
COMMENT ON COLUMN marts.japan_line_audit.statutory_low_rate IS 'Low bound of the statutory expectation: in-quota or excepted goods, or entries that claimed the JP special rate when the answer has no rate provision; equal to statutory_rate when the law gives one rate.';
COMMENT ON COLUMN marts.japan_line_audit.expected_duty_statutory_low IS 'Duty U.S. law required at the low bound (statutory_low_rate x customs value), USD.';
COMMENT ON COLUMN marts.japan_line_audit.promise_days_share IS 'Share of the month''s days on which the agreement promised a rate for the line (0 before 7 Aug 2025; between 0 and 1 in a month where a promise starts).';
COMMENT ON COLUMN marts.japan_line_audit.promise_status IS 'at_promise (collected within the promise tolerance of pipelines/ledger/audit.yaml of the duty promised), below_promise (less collected), above_promise (more collected); days without a promise count at the statutory rate; NULL when no day has a promise.';
COMMENT ON COLUMN marts.japan_line_audit.observed_rate IS 'Census calculated duty / customs value.';
COMMENT ON COLUMN marts.japan_line_audit.expected_duty_statutory IS 'Duty U.S. law required, USD: warehouse/FTZ (RP 00) and duty-free Chapter 99 (RP 79) entries expect 0; entries at a free rate (RP 10-19) apply the rule to m = 0; JP preference claims (RP 64) use the special rate.';
COMMENT ON COLUMN marts.japan_line_audit.excess_duty_usd IS 'Duty collected above the agreement rate, USD (>= 0; NULL before the agreement).';
COMMENT ON COLUMN marts.japan_line_audit.refundable_rate IS 'The part of statutory_rate that rests on an authority a court voided and is refundable (the IEEPA duty above column 1 from 5 Apr 2025 to 23 Feb 2026, after Learning Resources v. Trump), weighted by days like statutory_rate; 0 for Section 232 duties, column 1 and days after the ruling. marts.line_rates.refundable_rate per line and day.';
COMMENT ON COLUMN marts.japan_line_audit.refundable_duty_usd IS 'Refundable duty collected, USD: collected duty above what the law required outside the voided authority (column 1, Section 232 and the other non-refundable days of the month), up to the refundable duty as filed; 0 without a refundable day. The one refund measure of the marts and the report.';
COMMENT ON COLUMN marts.japan_line_audit.stacking_overpayment_usd IS 'The part of refundable_duty_usd that was also above the law of its day: entries filed at a rate the law later lowered retroactively (the stacking filings of 7 Aug - 15 Sep 2025 at column 1 + 15 % where max(15 %, column 1) was owed), USD.';
COMMENT ON COLUMN marts.japan_line_audit.law_from_instrument_share IS 'Share of the month''s days whose law regime began after the latest loaded HTS release: its rates come from the instrument (pipelines/ledger), not yet from a loaded HTS release.';
COMMENT ON COLUMN marts.japan_line_audit.status IS 'conforms (observed within the statutory range - between statutory_low_rate and statutory_rate - give or take the tolerance of pipelines/ledger/audit.yaml), over_collected, under_collected (beyond it), exempt (conforms under an exemption), no_duty_entry (all value entered under warehouse/FTZ or duty-free Chapter 99 provisions), insufficient_data (no column-1 rate or no ad valorem equivalent).';
COMMENT ON COLUMN marts.japan_line_audit.hts_release IS 'HTS release(s) whose column-1 rate was used.';
COMMENT ON COLUMN marts.japan_line_audit.period IS 'First day of the statistical month.';
COMMENT ON COLUMN marts.japan_line_audit.hs10 IS 'I_COMMODITY: HS10 without dots.';
COMMENT ON COLUMN marts.japan_line_audit.description IS 'Census description of the line (I_COMMODITY_LDESC, else I_COMMODITY_SDESC).';
COMMENT ON COLUMN marts.japan_line_audit.con_val IS 'CON_VAL_MO summed over rate provisions: customs value of imports for consumption from Japan, USD.';
COMMENT ON COLUMN marts.japan_line_audit.dut_val IS 'DUT_VAL_MO summed over rate provisions: dutiable value, USD.';
COMMENT ON COLUMN marts.japan_line_audit.cal_dut IS 'CAL_DUT_MO summed over rate provisions: calculated duty, USD.';
COMMENT ON COLUMN marts.japan_line_audit.expected_duty_agreement IS 'Duty the agreement promised, USD (days without a promise count at the statutory rate); NULL when no day of the month has a promise.';
COMMENT ON COLUMN marts.japan_line_audit.gap_observed_vs_statutory IS 'observed_rate - statutory_rate: positive when more was collected than the law required.';
COMMENT ON COLUMN marts.japan_line_audit.gap_statutory_vs_agreement IS 'statutory_rate - agreement_rate: positive when the law required more than the agreement promised; NULL before the agreement.';
COMMENT ON COLUMN marts.japan_line_audit.reason IS 'The status in words (collected vs owed, or why data is insufficient), then notes joined by ; (refundable filing, law above the agreement, release or 8-digit fallback, unit value month, unverified ledger entry).';
COMMENT ON COLUMN marts.japan_line_audit.rate_kind IS 'Kind of the column-1 general rate in the last release in force in the month (free, ad_valorem, specific, compound, other; staging.hts_lines).';
-- name: entries
-- Japan's imports by line, month and entry class (rate provision groups): no_duty = warehouse/FTZ
-- (00) or Chapter 99 without duty (79), no duty at entry; free = entered at a free column-1
-- rate (10-19), so m = 0 under the rule; preference = special rate claimed (64, JP); general
-- = everything else (61, 69, 70, ...); unknown = the answer has no rate provision (annual and
-- many partner answers), so the entry may have claimed the JP rate or not: a range
CREATE OR REPLACE TEMP TABLE _entries AS
SELECT period, hs10, max(description) AS description,
       CASE WHEN coalesce(rate_provision, '') = '' THEN 'unknown'
            WHEN rate_provision IN ('00', '79') THEN 'no_duty'
            WHEN rate_provision BETWEEN '10' AND '19' THEN 'free'
            WHEN rate_provision = '64' THEN 'preference'
            ELSE 'general' END AS entry_class,
       sum(con_val) AS con_val, sum(dut_val) AS dut_val, sum(cal_dut) AS cal_dut,
       sum(con_qty1) AS con_qty1, max(unit_qty1) AS unit_qty1
FROM staging.imports_monthly
WHERE cty_code = $country
GROUP BY ALL
-- name: releases
-- HTS releases loaded, with the first day each is in force (releaseList start date, else the
-- order of USITC's names); days before the first release use the first release (flagged)
CREATE OR REPLACE TEMP TABLE _releases AS SELECT * FROM release_starts()
-- name: segments
-- each month cut into day segments with one release, one law regime and one agreement regime
CREATE OR REPLACE TEMP TABLE _segments AS
WITH days AS (
    SELECT m.period, d.range::DATE AS day
    FROM (SELECT DISTINCT period FROM _entries) m,
         range(m.period, m.period + INTERVAL 1 MONTH, INTERVAL 1 DAY) d
),
tagged AS (
    SELECT d.period, d.day, r.release
    FROM days d ASOF LEFT JOIN _releases r ON d.day >= r.start_date
),
law AS (SELECT DISTINCT regime_id, valid_from, valid_to FROM staging.ledger_rules
        WHERE side = 'law'),
deal AS (SELECT DISTINCT regime_id, valid_from, valid_to FROM staging.ledger_rules
         WHERE side = 'agreement')
SELECT t.period,
       coalesce(t.release, (SELECT release FROM _releases ORDER BY start_date LIMIT 1))
           AS release,
       t.release IS NULL AS release_fallback,
       l.regime_id AS law_regime, a.regime_id AS deal_regime,
       count(*) / datediff('day', t.period, t.period + INTERVAL 1 MONTH) AS weight,
       min(t.day) AS first_day,
       -- the regime began after the latest loaded release: its law comes from the instrument
       l.valid_from > (SELECT max(start_date) FROM _releases) AS from_instrument
FROM tagged t
JOIN law l ON t.day >= l.valid_from AND (l.valid_to IS NULL OR t.day < l.valid_to)
JOIN deal a ON t.day >= a.valid_from AND (a.valid_to IS NULL OR t.day < a.valid_to)
GROUP BY t.period, 2, 3, l.regime_id, l.valid_from, a.regime_id
-- name: categories
-- the (law regime, hs10) pairs whose product category is needed (staging/ledger line_categories
-- resolves them)
CREATE OR REPLACE TEMP TABLE _category_wanted AS
SELECT DISTINCT s.law_regime, r.valid_from, e.hs10
FROM _segments s JOIN _entries e USING (period)
JOIN (SELECT DISTINCT regime_id, valid_from FROM staging.ledger_rules WHERE side = 'law') r
  ON r.regime_id = s.law_regime
-- name: lines
-- each (release, hs10) resolved to its HTS line (the 8-digit parent's first statistical line
-- when the 10-digit code is not in that release)
CREATE OR REPLACE TEMP TABLE _lines AS
WITH wanted AS (
    SELECT DISTINCT s.release, e.hs10 FROM _segments s JOIN _entries e USING (period)
),
fallback AS (
    SELECT release, hs8, rate_kind, ad_valorem, specific_amount, specific_unit,
           specific_amount_2, specific_unit_2, specific_basis, specific_basis_2, general_text,
           special_text
    FROM staging.hts_lines
    QUALIFY row_number() OVER (PARTITION BY release, hs8 ORDER BY hs10) = 1
)
SELECT w.release, w.hs10,
       coalesce(x.rate_kind, f.rate_kind) AS rate_kind,
       coalesce(x.general_text, f.general_text) AS general_text,
       CASE WHEN x.hs10 IS NOT NULL THEN x.ad_valorem ELSE f.ad_valorem END AS ad_valorem,
       CASE WHEN x.hs10 IS NOT NULL THEN x.specific_amount ELSE f.specific_amount END AS amount1,
       CASE WHEN x.hs10 IS NOT NULL THEN x.specific_unit ELSE f.specific_unit END AS unit1,
       CASE WHEN x.hs10 IS NOT NULL THEN x.specific_amount_2 ELSE f.specific_amount_2 END
           AS amount2,
       CASE WHEN x.hs10 IS NOT NULL THEN x.specific_unit_2 ELSE f.specific_unit_2 END AS unit2,
       coalesce(x.specific_basis, x.specific_basis_2, f.specific_basis, f.specific_basis_2)
           AS basis,
       coalesce(x.special_text, f.special_text) AS special_text,
       x.hs10 IS NULL AND f.hs8 IS NOT NULL AS matched_by_hs8
FROM wanted w
LEFT JOIN staging.hts_lines x ON x.release = w.release AND x.hs10 = w.hs10
LEFT JOIN fallback f ON f.release = w.release AND f.hs8 = left(w.hs10, 8)
-- name: column1
-- the column-1 rate m of every entry row and segment: ad valorem part plus the specific parts
-- converted with the row's own quantity (share of value), else the nearest month's share
CREATE OR REPLACE TEMP TABLE _column1 AS
WITH base AS (
    SELECT e.period, e.hs10, e.entry_class, s.release, s.law_regime, s.deal_regime, s.weight,
           s.first_day, s.from_instrument,
           s.release_fallback, lc.category, l.rate_kind, l.general_text, l.ad_valorem,
           l.amount1, l.amount2, l.basis, l.matched_by_hs8, e.con_val,
           j.jp_kind, j.jp_ad_valorem,
           CASE WHEN l.rate_kind IN ('specific', 'compound') AND l.basis IS NULL
                     AND e.con_val > 0 THEN
               (l.amount1 * e.con_qty1 * u1.factor
                + coalesce(l.amount2 * e.con_qty1 * u2.factor, 0)) / e.con_val
           END AS specific_share,
           l.amount2 IS NOT NULL AND u2.factor IS NULL AS second_part_unconvertible
    FROM _entries e
    JOIN _segments s USING (period)
    JOIN _lines l ON l.release = s.release AND l.hs10 = e.hs10
    JOIN _line_categories lc ON lc.law_regime = s.law_regime AND lc.hs10 = e.hs10
    LEFT JOIN _jp_preferences j ON j.special_text = l.special_text
    LEFT JOIN staging.ledger_units u1 ON u1.census_unit = e.unit_qty1 AND u1.hts_unit = l.unit1
    LEFT JOIN staging.ledger_units u2 ON u2.census_unit = e.unit_qty1 AND u2.hts_unit = l.unit2
),
known AS (
    SELECT hs10, release, period, specific_share FROM base
    WHERE specific_share IS NOT NULL AND NOT second_part_unconvertible
),
nearest AS (
    SELECT b.period, b.hs10, b.release, k.specific_share, k.period AS from_period
    FROM (SELECT DISTINCT period, hs10, release FROM base
          WHERE rate_kind IN ('specific', 'compound') AND basis IS NULL
            AND (specific_share IS NULL OR second_part_unconvertible)) b
    JOIN known k ON k.hs10 = b.hs10 AND k.release = b.release
    QUALIFY row_number() OVER (PARTITION BY b.period, b.hs10, b.release
                               ORDER BY abs(datediff('month', k.period, b.period)), k.period) = 1
)
SELECT b.*,
       CASE WHEN b.rate_kind IN ('free', 'ad_valorem') THEN b.ad_valorem
            WHEN b.rate_kind IN ('specific', 'compound') AND b.basis IS NULL THEN
                coalesce(b.ad_valorem, 0)
                + CASE WHEN b.second_part_unconvertible THEN n.specific_share
                       ELSE coalesce(b.specific_share, n.specific_share) END
       END AS m_general,
       n.from_period AS unit_value_from
FROM base b
LEFT JOIN nearest n ON n.period = b.period AND n.hs10 = b.hs10 AND n.release = b.release
-- name: rated
-- statutory, agreement and as-filed rates per entry row and segment (rules of staging.ledger_rules)
CREATE OR REPLACE TEMP TABLE _rated AS
SELECT c.*,
       CASE WHEN c.entry_class = 'free' THEN 0.0
            WHEN c.entry_class = 'preference' AND c.jp_kind IN ('free', 'ad_valorem')
            THEN c.jp_ad_valorem ELSE c.m_general END AS m_base,
       -- the lowest column-1 rate the entry can have: the JP special rate when the answer does
       -- not say whether it was claimed
       CASE WHEN c.entry_class = 'unknown' AND c.jp_kind IN ('free', 'ad_valorem')
            THEN least(c.jp_ad_valorem, m_base) ELSE m_base END AS m_low,
       lr.rule AS law_rule, lr.exempt AS law_exempt, lr.refundable, lr.heading AS law_heading,
       lr.authority AS law_authority, lr.as_filed, lr.verified AND dr.verified AS verified,
       CASE WHEN c.entry_class = 'no_duty' THEN 0.0
            ELSE apply_rule(lr.rule_kind, lr.rule_rate, m_base) END AS statutory_rate,
       CASE WHEN c.entry_class = 'no_duty' THEN 0.0
            ELSE least(apply_rule(lr.rule_kind, lr.rule_rate, m_base),
                       apply_rule(coalesce(lr.low_kind, lr.rule_kind),
                                  coalesce(lr.low_rate, lr.rule_rate), m_low))
       END AS statutory_low,
       lr.low_kind IS NOT NULL OR m_low < m_base AS ranged,
       CASE WHEN c.entry_class = 'no_duty' THEN 0.0
            ELSE apply_rule(lr.filed_kind, lr.filed_rate, m_base) END AS filed_rate,
       -- the duty the rule adds to column 1 when its authority was voided (refundable), by
       -- law and as filed
       CASE WHEN lr.refundable AND c.entry_class <> 'no_duty'
            THEN apply_rule(lr.rule_kind, lr.rule_rate, m_base) - m_base
            ELSE 0.0 END AS refundable_rate,
       CASE WHEN lr.refundable AND c.entry_class <> 'no_duty'
            THEN coalesce(apply_rule(lr.filed_kind, lr.filed_rate, m_base),
                          apply_rule(lr.rule_kind, lr.rule_rate, m_base)) - m_base
            ELSE 0.0 END AS refundable_filed_rate,
       dr.rule_kind = 'none' AS no_promise,
       CASE WHEN dr.rule_kind = 'none' THEN NULL
            WHEN c.entry_class = 'no_duty' THEN 0.0
            ELSE apply_rule(dr.rule_kind, dr.rule_rate, m_base) END AS agreement_rate
FROM _column1 c
JOIN staging.ledger_rules lr
  ON lr.side = 'law' AND lr.regime_id = c.law_regime AND lr.category = c.category
JOIN staging.ledger_rules dr
  ON dr.side = 'agreement' AND dr.regime_id = c.deal_regime AND dr.category = c.category
-- name: insert
INSERT INTO marts.japan_line_audit
WITH rows AS (
    -- one entry row (line x month x entry class) with its day-weighted rates; summands are
    -- cast to DECIMAL so that sums are exact and a rebuild gives identical tables
    SELECT period, hs10, entry_class, max(category) AS category, max(con_val) AS con_val,
           sum((weight * statutory_rate)::DECIMAL(38, 12)) AS statutory_rate,
           bool_or(statutory_rate IS NULL AND entry_class <> 'no_duty') AS statutory_unknown,
           sum((weight * coalesce(agreement_rate, statutory_rate))::DECIMAL(38, 12))
               AS agreement_rate,
           bool_and(no_promise) AS no_promise,
           sum((weight * statutory_low)::DECIMAL(38, 12)) AS statutory_low,
           sum(weight::DECIMAL(38, 12)) FILTER (WHERE NOT no_promise) AS promise_days,
           sum((weight * agreement_rate)::DECIMAL(38, 12)) FILTER (WHERE NOT no_promise)
               / sum(weight::DECIMAL(38, 12)) FILTER (WHERE NOT no_promise) AS promise_rate,
           sum((weight * m_general)::DECIMAL(38, 12)) FILTER (WHERE entry_class <> 'no_duty')
               AS mfn_rate,
           sum(weight::DECIMAL(38, 12)) FILTER (WHERE refundable) AS refundable_share,
           sum((weight * refundable_rate)::DECIMAL(38, 12)) AS refundable_rate,
           sum((weight * refundable_filed_rate)::DECIMAL(38, 12)) AS refundable_filed_rate,
           sum(weight::DECIMAL(38, 12)) FILTER (WHERE from_instrument) AS instrument_days,
           sum((weight * coalesce(filed_rate, statutory_rate))::DECIMAL(38, 12)) AS filed_rate,
           bool_or(as_filed IS NOT NULL) AS has_filing,
           bool_and(law_exempt) AS exempt,
           bool_and(verified) AS verified,
           string_agg(DISTINCT law_regime, '+' ORDER BY law_regime) AS regimes,
           string_agg(DISTINCT release, '+' ORDER BY release) AS releases,
           arg_max(rate_kind, first_day) AS rate_kind,
           bool_or(release_fallback) AS release_fallback,
           bool_or(matched_by_hs8) AS matched_by_hs8,
           arg_max(basis, first_day) AS basis,
           max(unit_value_from) AS unit_value_from,
           string_agg(DISTINCT law_heading, ', ' ORDER BY law_heading) AS headings
    FROM _rated
    GROUP BY period, hs10, entry_class
),
lines AS (
    SELECT r.period, r.hs10, max(r.category) AS category,
           sum(e.con_val) AS con_val, sum(e.dut_val) AS dut_val, sum(e.cal_dut) AS cal_dut,
           max(e.description) AS description,
           sum(r.con_val * r.statutory_rate) AS expected_statutory,
           bool_or(r.statutory_unknown) AS statutory_unknown,
           CASE WHEN bool_and(r.no_promise) THEN NULL
                ELSE sum(r.con_val * r.agreement_rate) END AS expected_agreement,
           sum(r.con_val * r.statutory_low) AS expected_statutory_low,
           CASE WHEN bool_and(r.no_promise) THEN NULL
                ELSE sum(r.con_val * r.promise_rate) END AS promised_duty,
           coalesce(max(r.promise_days), 0) AS promise_days,
           sum(r.con_val * r.filed_rate) AS expected_filed,
           bool_or(r.has_filing) AS has_filing,
           max(r.mfn_rate) AS mfn_rate,
           max(coalesce(r.refundable_share, 0)) AS refundable_share,
           sum(r.con_val * r.refundable_rate) AS expected_refundable,
           sum(r.con_val * r.refundable_filed_rate) AS expected_refundable_filed,
           max(coalesce(r.instrument_days, 0)) AS instrument_days,
           bool_and(r.entry_class = 'no_duty') AS all_no_duty,
           bool_and(r.exempt) AS exempt,
           bool_and(r.verified) AS verified,
           max(r.regimes) AS regimes, max(r.releases) AS releases,
           max(r.rate_kind) AS rate_kind, bool_or(r.release_fallback) AS release_fallback,
           bool_or(r.matched_by_hs8) AS matched_by_hs8, max(r.basis) AS basis,
           max(r.unit_value_from) AS unit_value_from, max(r.headings) AS headings
    FROM rows r
    JOIN _entries e USING (period, hs10, entry_class)
    GROUP BY r.period, r.hs10
),
judged AS (
    SELECT *,
           cal_dut / nullif(con_val, 0) AS observed_rate,
           expected_statutory / nullif(con_val, 0) AS statutory_rate,
           promised_duty / nullif(con_val, 0) AS agreement_rate,
           expected_statutory_low / nullif(con_val, 0) AS statutory_low_rate,
           CASE
               WHEN all_no_duty THEN 'no_duty_entry'
               WHEN statutory_unknown OR con_val IS NULL OR con_val <= 0 THEN 'insufficient_data'
               WHEN cal_dut - expected_statutory
                        <= greatest($tolerance_usd, $tolerance_rate * con_val)
                    AND expected_statutory_low - cal_dut
                        <= greatest($tolerance_usd, $tolerance_rate * con_val)
                   THEN CASE WHEN exempt THEN 'exempt' ELSE 'conforms' END
               WHEN cal_dut > expected_statutory THEN 'over_collected'
               ELSE 'under_collected'
           END AS status,
           CASE WHEN expected_agreement IS NULL OR con_val IS NULL OR con_val <= 0 THEN NULL
                WHEN abs(cal_dut - expected_agreement)
                     <= greatest($tolerance_usd, $promise_tolerance_rate * con_val)
                    THEN 'at_promise'
                WHEN cal_dut < expected_agreement THEN 'below_promise'
                ELSE 'above_promise' END AS promise_status
    FROM lines
)
-- Rates are rounded to 1e-10 and dollars to cents: parallel aggregation adds doubles in no fixed
-- order, and a rebuild must give identical tables.
SELECT period, hs10, description, category, regimes, verified,
       round(mfn_rate, 10), round(agreement_rate, 10), round(statutory_rate, 10),
       round(observed_rate, 10),
       con_val, dut_val, cal_dut,
       round(expected_statutory, 2), round(expected_agreement, 2),
       CASE WHEN expected_agreement IS NOT NULL
            THEN round(greatest(0, cal_dut - expected_agreement), 2) END AS excess_duty_usd,
       round(expected_refundable / nullif(con_val, 0), 10) AS refundable_rate,
       CASE WHEN refundable_share > 0 AND status <> 'insufficient_data'
            THEN round(least(greatest(0, cal_dut - (expected_statutory - expected_refundable)),
                             expected_refundable_filed), 2) ELSE 0 END AS refundable_duty_usd,
       CASE WHEN refundable_share > 0 AND status <> 'insufficient_data' AND has_filing
            THEN round(greatest(0, least(greatest(0, cal_dut - (expected_statutory
                                                               - expected_refundable)),
                                         expected_refundable_filed) - expected_refundable), 2)
            ELSE 0 END AS stacking_overpayment_usd,
       round(observed_rate - statutory_rate, 10) AS gap_observed_vs_statutory,
       round(statutory_rate - agreement_rate, 10) AS gap_statutory_vs_agreement,
       status,
       concat_ws('; ',
           CASE status
               WHEN 'no_duty_entry' THEN 'all value entered under warehouse/FTZ (RP 00) or duty-free Chapter 99 provisions (RP 79)'
               WHEN 'insufficient_data' THEN
                   CASE WHEN starts_with(hs10, '9999')
                            THEN 'Census estimate of low-value shipments, not a tariff line'
                        WHEN basis IS NOT NULL THEN 'specific rate levied on ' || basis
                                                     || ': no ad valorem equivalent from Census quantities'
                        WHEN rate_kind = 'other' OR rate_kind IS NULL
                            THEN 'column-1 rate not numeric or line not in the HTS release'
                        ELSE 'no quantity in a convertible unit in any month' END
               ELSE CASE WHEN statutory_low_rate < statutory_rate - 1e-9
                         THEN printf('collected %.2f%% vs %.2f%%-%.2f%% owed', 100 * observed_rate,
                                     100 * statutory_low_rate, 100 * statutory_rate)
                         ELSE printf('collected %.2f%% vs %.2f%% owed', 100 * observed_rate,
                                     100 * statutory_rate) END
           END,
           CASE WHEN status = 'over_collected' AND has_filing
                     AND abs(cal_dut - expected_filed) <= greatest($tolerance_usd,
                                                                   $tolerance_rate * con_val)
                THEN 'matches the filing at the superseded rate (' || headings
                     || '), refundable' END,
           CASE WHEN agreement_rate IS NOT NULL AND statutory_rate > agreement_rate + $tolerance_rate
                THEN printf('law above the agreement by %.2f points',
                            100 * (statutory_rate - agreement_rate)) END,
           CASE WHEN release_fallback THEN 'rate from the earliest loaded release (month precedes it)' END,
           CASE WHEN matched_by_hs8 THEN 'HS10 not in the release: rate of its 8-digit line' END,
           CASE WHEN unit_value_from IS NOT NULL
                THEN 'specific rate converted with the unit value of ' || strftime(unit_value_from, '%Y-%m') END,
           CASE WHEN instrument_days > 0
                THEN 'law from the instrument, not yet in a loaded HTS release' END,
           CASE WHEN NOT verified THEN 'rests on an unverified ledger entry' END
       ) AS reason,
       releases, rate_kind,
       round(statutory_low_rate, 10), round(expected_statutory_low, 2),
       round(promise_days, 10), promise_status, round(instrument_days, 10)
FROM judged
