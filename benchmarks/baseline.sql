-- The baseline of the national benchmark: what a hand-written DuckDB script does with the same
-- snapshot files, no contracts, no vintages, no quarantine, no orchestration. It computes
-- effective_rates_monthly for every partner and the core of the Japan line audit (column-1
-- rate from the release in force, statutory and agreement rates from the ledger rules, day
-- weighted over the month, expected duties, excess, status). Parameters: $imports (the HS10
-- answer files), $releases (one HTS export per release, same order as $release_names and
-- $release_starts), $country; tables _rules, _categories, _sectors (the ledger, as the
-- pipeline's staging.ledger_* tables hold it) are registered by benchmarks/baseline.py.
-- name: imports
CREATE TABLE imports AS
SELECT strptime(r[15], '%Y-%m')::DATE AS period, r[1] AS hs10, r[4] AS cty_code,
       r[5] AS cty_name, r[8]::BIGINT AS con_val, r[9]::BIGINT AS dut_val,
       r[10]::BIGINT AS cal_dut, r[11]::DOUBLE AS con_qty1, r[13] AS rate_provision
FROM read_json($imports, format = 'array', records = 'false', columns = {r: 'VARCHAR[]'},
               maximum_object_size = 16777216)
WHERE r[1] <> 'I_COMMODITY'
-- name: effective_rates
CREATE TABLE effective_rates_monthly AS
WITH sectors AS (
    SELECT c.hs10, s.sector
    FROM (SELECT DISTINCT hs10 FROM imports) c JOIN _sectors s ON starts_with(c.hs10, s.prefix)
    QUALIFY row_number() OVER (PARTITION BY c.hs10 ORDER BY length(s.prefix) DESC) = 1
),
lines AS (
    SELECT i.period, i.cty_code, i.cty_name, coalesce(s.sector, 'other') AS sector,
           i.con_val, i.dut_val, i.cal_dut
    FROM imports i LEFT JOIN sectors s USING (hs10)
)
SELECT period, cty_code, max(cty_name) AS cty_name, coalesce(sector, 'all') AS sector,
       sum(con_val) AS con_val, sum(dut_val) AS dut_val, sum(cal_dut) AS cal_dut,
       sum(cal_dut) / nullif(sum(con_val), 0) AS effective_rate,
       sum(cal_dut) / nullif(sum(dut_val), 0) AS effective_rate_dutiable
FROM lines
GROUP BY GROUPING SETS ((period, cty_code, sector), (period, cty_code))
-- name: lines
CREATE TABLE hts_lines AS
WITH records AS (
    SELECT unnest(list_zip($release_names, $release_starts, $releases), recursive := false)
               AS r
),
read AS (
    SELECT filename, htsno, general, special
    FROM read_json($releases, format = 'array', filename = true,
                   columns = {htsno: 'VARCHAR', general: 'VARCHAR', special: 'VARCHAR'})
),
coded AS (
    SELECT r.r[1] AS release, strptime(r.r[2], '%m/%d/%Y')::DATE AS start_date,
           replace(htsno, '.', '') AS code, general, special
    FROM read JOIN records r ON r.r[3] = read.filename
),
-- a 10-digit line inherits its 8-digit line's rate text
inherited AS (
    SELECT release, start_date, code,
           coalesce(nullif(general, ''), last_value(nullif(general, '') IGNORE NULLS) OVER (
               PARTITION BY release, left(code, 8) ORDER BY code
               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)) AS general
    FROM coded WHERE length(code) IN (8, 10)
)
SELECT release, start_date, code AS hs10, general,
       CASE WHEN general ILIKE 'free%' THEN 0.0
            WHEN regexp_full_match(trim(general), '\d+(\.\d+)?%')
            THEN replace(trim(general), '%', '')::DOUBLE / 100 END AS m
FROM inherited WHERE length(code) = 10
-- name: line_audit
CREATE TABLE japan_line_audit AS
WITH entries AS (
    SELECT period, hs10,
           CASE WHEN rate_provision IN ('00', '79') THEN 'no_duty'
                WHEN rate_provision BETWEEN '10' AND '19' THEN 'free'
                ELSE 'general' END AS entry_class,
           sum(con_val) AS con_val, sum(dut_val) AS dut_val, sum(cal_dut) AS cal_dut
    FROM imports WHERE cty_code = $country GROUP BY ALL
),
releases AS (SELECT DISTINCT release, start_date FROM hts_lines),
days AS (
    SELECT m.period, d.range::DATE AS day
    FROM (SELECT DISTINCT period FROM entries) m,
         range(m.period, m.period + INTERVAL 1 MONTH, INTERVAL 1 DAY) d
),
segments AS (
    SELECT d.period, coalesce(r.release, (SELECT release FROM releases ORDER BY start_date
                                          LIMIT 1)) AS release,
           l.regime_id AS law_regime, a.regime_id AS deal_regime,
           count(*) / datediff('day', d.period, d.period + INTERVAL 1 MONTH) AS weight
    FROM days d
    ASOF LEFT JOIN releases r ON d.day >= r.start_date
    JOIN (SELECT DISTINCT regime_id, valid_from, valid_to FROM _rules WHERE side = 'law') l
      ON d.day >= l.valid_from AND (l.valid_to IS NULL OR d.day < l.valid_to)
    JOIN (SELECT DISTINCT regime_id, valid_from, valid_to FROM _rules
          WHERE side = 'agreement') a
      ON d.day >= a.valid_from AND (a.valid_to IS NULL OR d.day < a.valid_to)
    GROUP BY d.period, 2, l.regime_id, a.regime_id
),
category AS (
    SELECT c.hs10, p.category
    FROM (SELECT DISTINCT hs10 FROM entries) c
    JOIN _categories p ON starts_with(c.hs10, p.prefix) AND NOT p.excluded
    QUALIFY row_number() OVER (PARTITION BY c.hs10 ORDER BY p.precedence) = 1
),
rated AS (
    SELECT e.period, e.hs10, e.entry_class, e.con_val, e.dut_val, e.cal_dut, s.weight,
           coalesce(c.category, 'general') AS category, l.m,
           CASE WHEN e.entry_class = 'free' THEN 0.0 ELSE l.m END AS m_base,
           lr.rule_kind AS law_kind, lr.rule_rate AS law_rate,
           dr.rule_kind AS deal_kind, dr.rule_rate AS deal_rate
    FROM entries e
    JOIN segments s USING (period)
    LEFT JOIN hts_lines l ON l.release = s.release AND l.hs10 = e.hs10
    LEFT JOIN category c ON c.hs10 = e.hs10
    LEFT JOIN _rules lr ON lr.side = 'law' AND lr.regime_id = s.law_regime
                        AND lr.category = coalesce(c.category, 'general')
    LEFT JOIN _rules dr ON dr.side = 'agreement' AND dr.regime_id = s.deal_regime
                        AND dr.category = coalesce(c.category, 'general')
),
applied AS (
    SELECT *,
           CASE WHEN entry_class = 'no_duty' THEN 0.0 ELSE
           CASE law_kind WHEN 'm' THEN m_base WHEN 'const' THEN law_rate
                         WHEN 'add' THEN m_base + law_rate
                         WHEN 'floor' THEN greatest(law_rate, m_base) END END AS law_all_in,
           CASE WHEN entry_class = 'no_duty' THEN 0.0 ELSE
           CASE deal_kind WHEN 'm' THEN m_base WHEN 'const' THEN deal_rate
                          WHEN 'add' THEN m_base + deal_rate
                          WHEN 'floor' THEN greatest(deal_rate, m_base) END END AS deal_all_in
    FROM rated
),
lines AS (
    SELECT period, hs10, max(category) AS category, max(m) AS mfn_rate,
           sum(con_val * weight) AS con_val_w, any_value(con_val) AS con_val_any,
           sum(law_all_in * con_val * weight) AS expected_duty_statutory,
           sum(coalesce(deal_all_in, law_all_in) * con_val * weight)
               FILTER (WHERE deal_kind IS NOT NULL OR law_kind IS NOT NULL)
               AS expected_duty_agreement
    FROM applied GROUP BY period, hs10
),
observed AS (
    SELECT period, hs10, sum(con_val) AS con_val, sum(dut_val) AS dut_val,
           sum(cal_dut) AS cal_dut
    FROM entries GROUP BY ALL
)
SELECT o.period, o.hs10, l.category, l.mfn_rate, o.con_val, o.dut_val, o.cal_dut,
       o.cal_dut / nullif(o.con_val, 0) AS observed_rate,
       l.expected_duty_statutory / nullif(o.con_val, 0) AS statutory_rate,
       l.expected_duty_agreement / nullif(o.con_val, 0) AS agreement_rate,
       l.expected_duty_statutory, l.expected_duty_agreement,
       greatest(o.cal_dut - l.expected_duty_agreement, 0) AS excess_duty_usd,
       CASE WHEN l.expected_duty_statutory IS NULL THEN 'insufficient_data'
            WHEN o.cal_dut - l.expected_duty_statutory
                 > greatest($tolerance_usd, $tolerance_rate * o.con_val) THEN 'over_collected'
            WHEN l.expected_duty_statutory - o.cal_dut
                 > greatest($tolerance_usd, $tolerance_rate * o.con_val) THEN 'under_collected'
            ELSE 'conforms' END AS status
FROM observed o JOIN lines l USING (period, hs10)
