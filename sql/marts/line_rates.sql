-- marts.line_rates: the legal rate history of every HS10 line of the loaded HTS releases for products of the audited partner, one row per line and interval of constant legal treatment, with the headings, ledger rules and instruments behind it
-- group: audit
-- reads: staging.imports_monthly WHERE cty_code = $country AND year(period) = $weights_year
-- reads: staging.hts_lines, raw.hts_releases
-- reads: staging.ledger_instruments, staging.ledger_rules, staging.ledger_categories, staging.ledger_units, staging.ledger_provisions, staging.ledger_category_sectors, staging.ledger_chapter99, staging.ledger_about
-- preview: ORDER BY hs10, valid_from
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.line_rates (
    partner VARCHAR NOT NULL,
    hs10 VARCHAR NOT NULL,
    valid_from DATE NOT NULL,
    valid_to DATE NOT NULL,
    hts_release VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    column1_text VARCHAR,
    column1_rate DOUBLE,
    column1_ave DOUBLE,
    statutory_rule VARCHAR NOT NULL,
    statutory_rate DOUBLE,
    statutory_low_rate DOUBLE,
    agreement_rule VARCHAR NOT NULL,
    agreement_rate DOUBLE,
    refundable_rate DOUBLE,
    headings VARCHAR[] NOT NULL,
    rule_ids VARCHAR[] NOT NULL,
    instruments VARCHAR[] NOT NULL,
    law_source VARCHAR NOT NULL,
    verified BOOLEAN NOT NULL,
    PRIMARY KEY (partner, hs10, valid_from)
);
COMMENT ON TABLE marts.line_rates IS 'What U.S. law required, and what the agreement promised, on every HS10 line of the loaded HTS releases for products of the audited partner, day by day from the ledger''s start (2024-01-01) to its as_of date (staging.ledger_about): one row per line and interval in which its legal treatment (column-1 rate, ledger rules, headings, instruments) is constant. Entries are taken as made under column 1 (no preference, FTZ or quota claims); ranges give both bounds. make rate HS=... DATE=... prints one line''s stack with citations.';
COMMENT ON COLUMN marts.line_rates.partner IS 'Census country code of the partner (5880 Japan; pipelines/ledger/audit.yaml country_code).';
COMMENT ON COLUMN marts.line_rates.hs10 IS '10-digit HTS statistical line without dots.';
COMMENT ON COLUMN marts.line_rates.valid_from IS 'First entry date of the interval (inclusive).';
COMMENT ON COLUMN marts.line_rates.valid_to IS 'Last entry date of the interval (inclusive).';
COMMENT ON COLUMN marts.line_rates.hts_release IS 'HTS release in force on valid_from (later releases within the interval left the line''s column-1 rate unchanged); before the first loaded release, the first one.';
COMMENT ON COLUMN marts.line_rates.category IS 'Product category of pipelines/ledger/categories.yaml that decides the rules (first in precedence order), else general.';
COMMENT ON COLUMN marts.line_rates.column1_text IS 'Column-1 general rate text of the release (own or inherited from the 8-digit line).';
COMMENT ON COLUMN marts.line_rates.column1_rate IS 'Column-1 general rate as a decimal when it is ad valorem (free = 0); NULL for specific, compound and other rates.';
COMMENT ON COLUMN marts.line_rates.column1_ave IS 'The column-1 rate m the rules are applied to: column1_rate for ad valorem lines, else its ad valorem equivalent at the unit value of the partner''s imports of the line in weights_year (pipelines/ledger/audit.yaml, as marts.statutory_rate_daily); NULL when neither is known.';
COMMENT ON COLUMN marts.line_rates.statutory_rule IS 'The law''s rule for the line''s category (staging.ledger_rules side law): m, m + <rate>, max(<rate>, m), range(<low>, <high>).';
COMMENT ON COLUMN marts.line_rates.statutory_rate IS 'All-in rate U.S. law required, as a decimal (the high bound of a range); NULL when column1_ave is unknown and the rule needs it.';
COMMENT ON COLUMN marts.line_rates.statutory_low_rate IS 'Low bound of a range rule (in-quota, use-based or company-based exceptions trade statistics cannot see); equal to statutory_rate when the law gives one rate.';
COMMENT ON COLUMN marts.line_rates.agreement_rule IS 'The agreement''s rule for the line''s category (staging.ledger_rules side agreement); none before the agreement.';
COMMENT ON COLUMN marts.line_rates.agreement_rate IS 'All-in rate the agreement promised, as a decimal; NULL before the agreement (7 Aug 2025).';
COMMENT ON COLUMN marts.line_rates.refundable_rate IS 'The part of statutory_rate that rests on an authority a court voided and is refundable (IEEPA duties above column 1 from 5 Apr 2025 to 23 Feb 2026, after Learning Resources v. Trump); 0 for Section 232 duties and column 1.';
COMMENT ON COLUMN marts.line_rates.headings IS 'Chapter 99 headings of the law''s rule that apply (the heading and, for a range, the heading of its low bound); empty when column 1 applies as is.';
COMMENT ON COLUMN marts.line_rates.rule_ids IS 'The ledger rules behind the row as <regime id>:<category>, the law''s first, then the agreement''s (staging.ledger_rules).';
COMMENT ON COLUMN marts.line_rates.instruments IS 'Instruments that made those rules (staging.ledger_instruments ids, with their citations and CSMS numbers), the law''s first; empty when only column 1 applies.';
COMMENT ON COLUMN marts.line_rates.law_source IS 'Where the law of the interval comes from: hts_release (a loaded release in force), earliest_release (days before the first loaded release: its column-1 rate), instrument (the law regime began after the latest loaded release: from the instrument, not yet in a loaded HTS release).';
COMMENT ON COLUMN marts.line_rates.verified IS 'True when every ledger rule and instrument behind the row is verified against a primary text.';
-- name: segments
-- the days from the ledger's start to its as_of date, cut into segments with one release, one
-- law regime and one agreement regime (each a step function of the date, so every combination
-- is one run of days)
CREATE OR REPLACE TEMP TABLE _lr_segments AS
WITH releases AS (SELECT * FROM release_starts()),
law AS (SELECT DISTINCT regime_id, valid_from, valid_to FROM staging.ledger_rules
        WHERE side = 'law'),
deal AS (SELECT DISTINCT regime_id, valid_from, valid_to FROM staging.ledger_rules
         WHERE side = 'agreement'),
days AS (
    SELECT range::DATE AS day
    FROM range((SELECT min(valid_from) FROM law),
               (SELECT max(as_of) FROM staging.ledger_about) + 1, INTERVAL 1 DAY)
),
tagged AS (SELECT d.day, r.release FROM days d ASOF LEFT JOIN releases r ON d.day >= r.start_date)
SELECT coalesce(t.release, (SELECT release FROM releases ORDER BY start_date LIMIT 1))
           AS release,
       l.regime_id AS law_regime, l.valid_from AS law_from, a.regime_id AS deal_regime,
       min(t.day) AS seg_from, max(t.day) AS seg_to,
       CASE WHEN l.valid_from > (SELECT max(start_date) FROM releases) THEN 'instrument'
            WHEN t.release IS NULL THEN 'earliest_release'
            ELSE 'hts_release' END AS law_source
FROM tagged t
JOIN law l ON t.day >= l.valid_from AND (l.valid_to IS NULL OR t.day < l.valid_to)
JOIN deal a ON t.day >= a.valid_from AND (a.valid_to IS NULL OR t.day < a.valid_to)
GROUP BY 1, l.regime_id, l.valid_from, a.regime_id, t.release IS NULL
-- name: wanted
-- the (law regime, hs10) pairs whose category staging/ledger line_categories resolves
CREATE OR REPLACE TEMP TABLE _category_wanted AS
SELECT DISTINCT s.law_regime, s.law_from AS valid_from, h.hs10
FROM _lr_segments s JOIN staging.hts_lines h ON h.release = s.release
-- name: insert
INSERT INTO marts.line_rates
WITH unit_values AS (
    -- the partner's imports of each line in the base year, for the ad valorem equivalent of
    -- specific rates (as marts.statutory_rate_daily)
    SELECT hs10, sum(con_val) AS con_val, sum(con_qty1) AS qty, max(unit_qty1) AS unit
    FROM staging.imports_monthly
    WHERE cty_code = $country AND year(period) = $weights_year
    GROUP BY hs10
    HAVING sum(con_val) > 0
),
lines AS (
    SELECT s.*, h.hs10, h.general_text, lc.category,
           CASE WHEN h.rate_kind IN ('free', 'ad_valorem') THEN h.ad_valorem END AS column1_rate,
           column1_ave(h.rate_kind, h.ad_valorem, h.specific_amount, u1.factor,
                       h.specific_amount_2, u2.factor,
                       coalesce(h.specific_basis, h.specific_basis_2), u.qty, u.con_val) AS m
    FROM _lr_segments s
    JOIN staging.hts_lines h ON h.release = s.release
    JOIN _line_categories lc ON lc.law_regime = s.law_regime AND lc.hs10 = h.hs10
    LEFT JOIN unit_values u ON u.hs10 = h.hs10
    LEFT JOIN staging.ledger_units u1 ON u1.census_unit = u.unit AND u1.hts_unit = h.specific_unit
    LEFT JOIN staging.ledger_units u2
      ON u2.census_unit = u.unit AND u2.hts_unit = h.specific_unit_2
),
rated AS (
    SELECT l.release, l.seg_from, l.seg_to, l.law_source, l.hs10, l.category, l.general_text,
           l.column1_rate, l.m, lr.rule AS statutory_rule, dr.rule AS agreement_rule,
           round(apply_rule(lr.rule_kind, lr.rule_rate, l.m), 10) AS statutory_rate,
           round(least(apply_rule(lr.rule_kind, lr.rule_rate, l.m),
                       apply_rule(coalesce(lr.low_kind, lr.rule_kind),
                                  coalesce(lr.low_rate, lr.rule_rate), l.m)), 10)
               AS statutory_low_rate,
           CASE WHEN dr.rule_kind <> 'none'
                THEN round(apply_rule(dr.rule_kind, dr.rule_rate, l.m), 10) END AS agreement_rate,
           CASE WHEN lr.refundable
                THEN round(apply_rule(lr.rule_kind, lr.rule_rate, l.m) - l.m, 10)
                ELSE 0.0 END AS refundable_rate,
           list_filter([lr.heading, lr.low_heading], lambda h: h IS NOT NULL) AS headings,
           [lr.regime_id || ':' || l.category, dr.regime_id || ':' || l.category] AS rule_ids,
           list_distinct(list_filter([lr.instrument_id, dr.instrument_id], lambda i: i <> 'none'))
               AS instruments,
           lr.verified AND dr.verified AS verified
    FROM lines l
    JOIN staging.ledger_rules lr
      ON lr.side = 'law' AND lr.regime_id = l.law_regime AND lr.category = l.category
    JOIN staging.ledger_rules dr
      ON dr.side = 'agreement' AND dr.regime_id = l.deal_regime AND dr.category = l.category
),
treated AS (
    -- a new interval starts where the line's treatment changes or the line was absent from the
    -- release in force the day before
    SELECT *,
           {'category': category, 'text': general_text, 'rate': column1_rate, 'm': m,
            'law': statutory_rule, 'high': statutory_rate, 'low': statutory_low_rate,
            'deal': agreement_rule, 'promise': agreement_rate, 'refundable': refundable_rate,
            'headings': headings, 'rules': rule_ids, 'instruments': instruments,
            'source': law_source, 'verified': verified} AS treatment
    FROM rated
),
starts AS (
    SELECT *,
           CASE WHEN treatment IS NOT DISTINCT FROM lag(treatment) OVER w
                     AND lag(seg_to) OVER w = seg_from - 1 THEN 0 ELSE 1 END AS new_interval
    FROM treated
    WINDOW w AS (PARTITION BY hs10 ORDER BY seg_from)
),
intervals AS (
    SELECT *, sum(new_interval) OVER (PARTITION BY hs10 ORDER BY seg_from) AS interval_no
    FROM starts
)
SELECT $country, hs10, min(seg_from), max(seg_to), arg_min(release, seg_from),
       any_value(category), any_value(general_text), any_value(column1_rate),
       round(any_value(m), 10), any_value(statutory_rule), any_value(statutory_rate),
       any_value(statutory_low_rate), any_value(agreement_rule), any_value(agreement_rate),
       any_value(refundable_rate), any_value(headings), any_value(rule_ids),
       any_value(instruments), any_value(law_source), bool_and(verified)
FROM intervals
GROUP BY hs10, interval_no
