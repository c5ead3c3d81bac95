-- marts.statutory_rate_daily: a partner's statutory and promised tariff rate on every calendar day, on fixed base-year line weights (the figure public trackers publish)
-- group: audit
-- reads: staging.imports_monthly WHERE (cty_code = $country AND year(period) = $weights_year) OR period = (SELECT max(period) FROM staging.imports_monthly)
-- reads: staging.hts_lines, raw.hts_releases
-- reads: staging.ledger_instruments, staging.ledger_rules, staging.ledger_categories, staging.ledger_units, staging.ledger_provisions, staging.ledger_category_sectors, staging.ledger_chapter99, staging.ledger_about
-- preview: ORDER BY date
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.statutory_rate_daily (
    date DATE NOT NULL,
    partner VARCHAR NOT NULL,
    weights_year INTEGER NOT NULL,
    statutory_rate DOUBLE,
    agreement_rate DOUBLE,
    rated_value_share DOUBLE,
    statutory_low_rate DOUBLE,
    base_value_usd BIGINT,
    hts_release VARCHAR,
    law_regime VARCHAR,
    law_source VARCHAR,
    PRIMARY KEY (date, partner)
);
COMMENT ON TABLE marts.statutory_rate_daily IS 'The statutory (and promised) tariff rate of imports from the audited partner on every calendar day from the ledger''s daily_from date (pipelines/ledger/audit.yaml) to its daily_to, or to the end of the month of the last imports month or of the last loaded HTS release''s start, each HS10 line weighted by its customs value in the fixed base year (weights_year): what the law and the agreement would charge that fixed basket that day. This is the import-weighted statutory rate public trackers (Yale Budget Lab, the Trade War tracker) publish; README says how to reproduce theirs and which legal choices differ. Every line is taken as entered under column 1 (no preference, FTZ or quota claims); ranges count at their high bound (statutory_low_rate at the low bound).';
COMMENT ON COLUMN marts.statutory_rate_daily.date IS 'Calendar day of entry.';
COMMENT ON COLUMN marts.statutory_rate_daily.partner IS 'Census country code of the partner (5880 Japan; pipelines/ledger/audit.yaml country_code).';
COMMENT ON COLUMN marts.statutory_rate_daily.weights_year IS 'Year whose customs values weight the lines (pipelines/ledger/audit.yaml weights_year).';
COMMENT ON COLUMN marts.statutory_rate_daily.statutory_rate IS 'Sum over lines of base-year value x the all-in rate U.S. law required that day (column 1 of the release in force plus the Chapter 99 rule of the line''s category; specific rates at the base year''s unit values), divided by the base-year value of the lines that have a rate.';
COMMENT ON COLUMN marts.statutory_rate_daily.agreement_rate IS 'The same for the rate the agreement promised, over the lines with a promise that day; NULL before any promise (7 Aug 2025).';
COMMENT ON COLUMN marts.statutory_rate_daily.rated_value_share IS 'Share of the base-year value whose statutory rate is known that day (the rest: low-value estimates, specific rates without quantity, lines not in the release).';
COMMENT ON COLUMN marts.statutory_rate_daily.statutory_low_rate IS 'The statutory rate with every range at its low bound (in-quota steel, use-based semiconductor exceptions).';
COMMENT ON COLUMN marts.statutory_rate_daily.base_value_usd IS 'Customs value of the partner''s imports in the base year, USD (all lines, rated or not).';
COMMENT ON COLUMN marts.statutory_rate_daily.hts_release IS 'HTS release in force that day (releaseList start date; days before the first loaded release use it).';
COMMENT ON COLUMN marts.statutory_rate_daily.law_regime IS 'Law regime of pipelines/ledger/regimes_japan.yaml in force that day.';
COMMENT ON COLUMN marts.statutory_rate_daily.law_source IS 'hts_release (the law of a loaded release in force), earliest_release (a day before the first loaded release) or instrument (the law regime began after the latest loaded release: from the instrument, not yet in a loaded HTS release), as in marts.line_rates.';
-- name: weights
-- the base year's lines (all rate provisions) with their value and quantity
CREATE OR REPLACE TEMP TABLE _weights AS
SELECT hs10, sum(con_val) AS con_val, sum(con_qty1) AS qty, max(unit_qty1) AS unit
FROM staging.imports_monthly
WHERE cty_code = $country AND year(period) = $weights_year
GROUP BY hs10
HAVING sum(con_val) > 0
-- name: days
-- each day from daily_from to daily_to (default: the end of the month of the last imports month
-- or of the last release's start) with its release, law regime and agreement regime
CREATE OR REPLACE TEMP TABLE _days AS
WITH releases AS (SELECT * FROM release_starts()),
days AS (
    SELECT range::DATE AS day
    FROM range($daily_from::DATE,
               coalesce($daily_to::DATE + 1,
                        date_trunc('month', greatest(
                            (SELECT max(period) FROM staging.imports_monthly),
                            (SELECT max(start_date) FROM releases))) + INTERVAL 1 MONTH),
               INTERVAL 1 DAY)
),
tagged AS (SELECT d.day, r.release FROM days d ASOF LEFT JOIN releases r ON d.day >= r.start_date)
SELECT t.day,
       coalesce(t.release, (SELECT release FROM releases ORDER BY start_date LIMIT 1)) AS release,
       l.regime_id AS law_regime, l.valid_from, a.regime_id AS deal_regime,
       CASE WHEN l.valid_from > (SELECT max(start_date) FROM releases) THEN 'instrument'
            WHEN t.release IS NULL THEN 'earliest_release'
            ELSE 'hts_release' END AS law_source
FROM tagged t
JOIN (SELECT DISTINCT regime_id, valid_from, valid_to FROM staging.ledger_rules
      WHERE side = 'law') l
  ON t.day >= l.valid_from AND (l.valid_to IS NULL OR t.day < l.valid_to)
JOIN (SELECT DISTINCT regime_id, valid_from, valid_to FROM staging.ledger_rules
      WHERE side = 'agreement') a
  ON t.day >= a.valid_from AND (a.valid_to IS NULL OR t.day < a.valid_to)
-- name: wanted
-- the (law regime, hs10) pairs whose category staging/ledger line_categories resolves
CREATE OR REPLACE TEMP TABLE _category_wanted AS
SELECT DISTINCT d.law_regime, d.valid_from, w.hs10 FROM (SELECT DISTINCT law_regime, valid_from
                                                         FROM _days) d, _weights w
-- name: segments
-- the base-year basket rated on each distinct (release, law regime, agreement regime)
CREATE OR REPLACE TEMP TABLE _daily_segments AS
WITH segments AS (SELECT DISTINCT release, law_regime, deal_regime FROM _days),
fallback AS (
    SELECT release, hs8, rate_kind, ad_valorem, specific_amount, specific_unit,
           specific_amount_2, specific_unit_2, specific_basis, specific_basis_2
    FROM staging.hts_lines
    QUALIFY row_number() OVER (PARTITION BY release, hs8 ORDER BY hs10) = 1
),
lines AS (
    SELECT s.release, s.law_regime, s.deal_regime, w.hs10, w.con_val, w.qty, w.unit,
           coalesce(x.rate_kind, f.rate_kind) AS rate_kind,
           CASE WHEN x.hs10 IS NOT NULL THEN x.ad_valorem ELSE f.ad_valorem END AS ad_valorem,
           CASE WHEN x.hs10 IS NOT NULL THEN x.specific_amount ELSE f.specific_amount END
               AS amount1,
           CASE WHEN x.hs10 IS NOT NULL THEN x.specific_unit ELSE f.specific_unit END AS unit1,
           CASE WHEN x.hs10 IS NOT NULL THEN x.specific_amount_2 ELSE f.specific_amount_2 END
               AS amount2,
           CASE WHEN x.hs10 IS NOT NULL THEN x.specific_unit_2 ELSE f.specific_unit_2 END
               AS unit2,
           coalesce(x.specific_basis, x.specific_basis_2, f.specific_basis, f.specific_basis_2)
               AS basis
    FROM segments s CROSS JOIN _weights w
    LEFT JOIN staging.hts_lines x ON x.release = s.release AND x.hs10 = w.hs10
    LEFT JOIN fallback f ON f.release = s.release AND f.hs8 = left(w.hs10, 8)
),
column1 AS (
    SELECT l.*, c.category,
           CASE WHEN NOT starts_with(l.hs10, '9999') THEN
               column1_ave(l.rate_kind, l.ad_valorem, l.amount1, u1.factor, l.amount2,
                           u2.factor, l.basis, l.qty, l.con_val) END AS m
    FROM lines l
    JOIN _line_categories c ON c.law_regime = l.law_regime AND c.hs10 = l.hs10
    LEFT JOIN staging.ledger_units u1 ON u1.census_unit = l.unit AND u1.hts_unit = l.unit1
    LEFT JOIN staging.ledger_units u2 ON u2.census_unit = l.unit AND u2.hts_unit = l.unit2
),
rated AS (
    SELECT c.release, c.law_regime, c.deal_regime, c.con_val,
           apply_rule(lr.rule_kind, lr.rule_rate, c.m) AS statutory,
           apply_rule(coalesce(lr.low_kind, lr.rule_kind), coalesce(lr.low_rate, lr.rule_rate),
                      c.m) AS statutory_low,
           CASE WHEN dr.rule_kind <> 'none' THEN apply_rule(dr.rule_kind, dr.rule_rate, c.m)
           END AS agreement
    FROM column1 c
    JOIN staging.ledger_rules lr
      ON lr.side = 'law' AND lr.regime_id = c.law_regime AND lr.category = c.category
    JOIN staging.ledger_rules dr
      ON dr.side = 'agreement' AND dr.regime_id = c.deal_regime AND dr.category = c.category
)
-- DECIMAL sums: a rebuild gives identical tables
SELECT release, law_regime, deal_regime,
       sum((con_val * statutory)::DECIMAL(38, 6))
           / sum(con_val) FILTER (WHERE statutory IS NOT NULL) AS statutory_rate,
       sum((con_val * statutory_low)::DECIMAL(38, 6))
           / sum(con_val) FILTER (WHERE statutory IS NOT NULL) AS statutory_low_rate,
       sum((con_val * agreement)::DECIMAL(38, 6)) FILTER (WHERE statutory IS NOT NULL)
           / sum(con_val) FILTER (WHERE statutory IS NOT NULL AND agreement IS NOT NULL)
           AS agreement_rate,
       sum(con_val) FILTER (WHERE statutory IS NOT NULL) / sum(con_val) AS rated_value_share,
       sum(con_val) AS base_value
FROM rated
GROUP BY ALL
-- name: insert
INSERT INTO marts.statutory_rate_daily
SELECT d.day, $country, $weights_year,
       round(s.statutory_rate, 10), round(s.agreement_rate, 10),
       round(s.rated_value_share, 10), round(s.statutory_low_rate, 10),
       s.base_value, d.release, d.law_regime, d.law_source
FROM _days d JOIN _daily_segments s USING (release, law_regime, deal_regime)
