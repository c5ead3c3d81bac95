-- marts.critical_minerals_dependence: how much of each importer's purchases of a critical-mineral group comes from China, monthly and over 12 months, against the pre-framework baseline
-- group: indicators
-- reads: staging.imports_monthly, staging.japan_trade_monthly, staging.fx_monthly, staging.ledger_mineral_groups, staging.ledger_japan_countries
-- preview: ORDER BY period DESC, importer, window_months DESC, mineral_group
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.critical_minerals_dependence (
    period DATE NOT NULL,
    importer VARCHAR NOT NULL,
    mineral_group VARCHAR NOT NULL,
    window_months INTEGER NOT NULL,
    total_value_usd DOUBLE,
    china_share DOUBLE NOT NULL,
    china_mainland_share DOUBLE NOT NULL,
    hong_kong_share DOUBLE NOT NULL,
    top_supplier VARCHAR NOT NULL,
    top_supplier_share DOUBLE NOT NULL,
    hhi DOUBLE NOT NULL,
    suppliers INTEGER NOT NULL,
    baseline_china_share DOUBLE,
    change_vs_baseline DOUBLE
);
COMMENT ON TABLE marts.critical_minerals_dependence IS 'Dependence of the U.S. (Census imports, every partner) and of Japan (its own import statistics, every partner) on China for each critical-mineral group of pipelines/ledger/minerals.yaml, by month (window_months = 1) and over the 12 months ending with the month (window_months = 12, only when all 12 months are loaded), against the 12 months before the framework of 28 Oct 2025. Hong Kong is counted with China (as USGS does) in china_share, top_supplier and hhi, and shown apart in hong_kong_share.';
COMMENT ON COLUMN marts.critical_minerals_dependence.period IS 'First day of the month (the last month of the window).';
COMMENT ON COLUMN marts.critical_minerals_dependence.importer IS 'united_states (Census general imports, single countries) or japan (Japan''s imports, CIF).';
COMMENT ON COLUMN marts.critical_minerals_dependence.mineral_group IS 'Mineral group of the ledger (staging.ledger_mineral_groups).';
COMMENT ON COLUMN marts.critical_minerals_dependence.window_months IS '1 (the month) or 12 (the 12 months ending with period).';
COMMENT ON COLUMN marts.critical_minerals_dependence.total_value_usd IS 'The importer''s purchases of the group from every partner, USD (Japan''s yen at each month''s mean rate; NULL when a month lacks a rate).';
COMMENT ON COLUMN marts.critical_minerals_dependence.china_share IS 'Share of China and Hong Kong together (USGS convention), from 0 to 1; computed in the importer''s own currency.';
COMMENT ON COLUMN marts.critical_minerals_dependence.china_mainland_share IS 'Share of China without Hong Kong.';
COMMENT ON COLUMN marts.critical_minerals_dependence.hong_kong_share IS 'Share of Hong Kong alone.';
COMMENT ON COLUMN marts.critical_minerals_dependence.top_supplier IS 'The largest supplier (China and Hong Kong as one: CHINA (INCL. HONG KONG)).';
COMMENT ON COLUMN marts.critical_minerals_dependence.top_supplier_share IS 'The largest supplier''s share.';
COMMENT ON COLUMN marts.critical_minerals_dependence.hhi IS 'Herfindahl-Hirschman index of the suppliers'' shares (sum of squared shares, 0-1; 1 = one supplier), China and Hong Kong as one.';
COMMENT ON COLUMN marts.critical_minerals_dependence.suppliers IS 'Number of suppliers with purchases in the window.';
COMMENT ON COLUMN marts.critical_minerals_dependence.baseline_china_share IS 'china_share over the baseline: the 12 months before the framework (minerals.yaml baseline_from..baseline_to; the loaded months of it).';
COMMENT ON COLUMN marts.critical_minerals_dependence.change_vs_baseline IS 'china_share - baseline_china_share: below 0 means less dependent on China than before the framework.';
-- name: insert
INSERT INTO marts.critical_minerals_dependence
WITH fx AS (
    SELECT period, per_usd FROM staging.fx_monthly WHERE currency = 'JPY'
), flows AS (
    SELECT i.period, 'united_states' AS importer, g.mineral_group, i.cty_code AS partner,
           any_value(i.cty_name) AS partner_name, sum(i.gen_val)::DOUBLE AS value,
           sum(i.gen_val)::DOUBLE AS value_usd,
           i.cty_code IN ($census_china, $census_hong_kong) AS china,
           i.cty_code = $census_hong_kong AS hong_kong
    FROM staging.imports_monthly i
    JOIN staging.ledger_mineral_groups g ON starts_with(i.hs10, g.prefix)
    WHERE i.summary_lvl = 'DET'
    GROUP BY i.period, g.mineral_group, i.cty_code
    UNION ALL
    SELECT t.period, 'japan', g.mineral_group, t.country_code, any_value(c.country_name),
           sum(t.value_jpy_thousand) * 1000.0, sum(t.value_jpy_thousand) * 1000.0
               / any_value(fx.per_usd),
           t.country_code IN ($japan_china, $japan_hong_kong),
           t.country_code = $japan_hong_kong
    FROM staging.japan_trade_monthly t
    JOIN staging.ledger_mineral_groups g ON starts_with(t.hs9, g.prefix)
    LEFT JOIN staging.ledger_japan_countries c USING (country_code)
    LEFT JOIN fx USING (period)
    WHERE t.direction = 'import'
    GROUP BY t.period, g.mineral_group, t.country_code
), loaded AS (
    -- the months each importer's statistics are loaded for (a month without a group's
    -- imports is a zero, not a gap)
    SELECT DISTINCT period, 'united_states' AS importer FROM staging.imports_monthly
    UNION SELECT DISTINCT period, 'japan' FROM staging.japan_trade_monthly
    WHERE direction = 'import'
), windows AS (
    SELECT period, importer, period AS month, 1 AS window_months FROM loaded
    UNION ALL
    SELECT l.period, l.importer, w.period, 12
    FROM loaded l JOIN loaded w ON w.importer = l.importer
     AND w.period BETWEEN l.period - INTERVAL 11 MONTH AND l.period
), complete AS (
    SELECT period, importer, window_months FROM windows GROUP BY ALL
    HAVING count(*) = window_months
), suppliers AS (
    -- China and Hong Kong are one supplier (USGS); the other partners each one
    SELECT w.period, w.importer, w.window_months, f.mineral_group,
           CASE WHEN f.china THEN 'CHINA (INCL. HONG KONG)'
                ELSE coalesce(any_value(f.partner_name), any_value(f.partner)) END
               AS supplier,
           sum(f.value) AS value,
           -- NULL as soon as one month lacks a rate
           CASE WHEN count(f.value_usd) = count(*) THEN sum(f.value_usd) END AS value_usd,
           sum(f.value) FILTER (WHERE f.china AND NOT f.hong_kong) AS mainland,
           sum(f.value) FILTER (WHERE f.hong_kong) AS hong_kong
    FROM windows w
    JOIN flows f ON f.importer = w.importer AND f.period = w.month
    SEMI JOIN complete c ON c.period = w.period AND c.importer = w.importer
     AND c.window_months = w.window_months
    GROUP BY w.period, w.importer, w.window_months, f.mineral_group, f.china,
             CASE WHEN f.china THEN '' ELSE f.partner END
    HAVING sum(f.value) > 0
), shares AS (
    SELECT *, value / sum(value) OVER (PARTITION BY period, importer, window_months,
                                                    mineral_group) AS share
    FROM suppliers
), baseline AS (
    SELECT importer, mineral_group,
           sum(value) FILTER (WHERE china) / sum(value) AS china_share
    FROM flows WHERE period BETWEEN $baseline_from AND $baseline_to
    GROUP BY ALL HAVING sum(value) > 0
), dependence AS (
    SELECT period, importer, mineral_group, window_months,
           CASE WHEN count(value_usd) = count(*) THEN sum(value_usd) END AS total_value_usd,
           coalesce(sum(share) FILTER (WHERE supplier = 'CHINA (INCL. HONG KONG)'), 0)
               AS china_share,
           coalesce(sum(mainland) / sum(value), 0) AS china_mainland_share,
           coalesce(sum(hong_kong) / sum(value), 0) AS hong_kong_share,
           arg_max(supplier, share) AS top_supplier, max(share) AS top_supplier_share,
           sum(share * share) AS hhi, count(*) AS suppliers
    FROM shares GROUP BY ALL
)
-- rounded: sums of fractions depend on the order of parallel aggregation in their last bits,
-- and a rebuild must give the same table
SELECT d.period, d.importer, d.mineral_group, d.window_months, round(d.total_value_usd, 2),
       round(d.china_share, 12), round(d.china_mainland_share, 12),
       round(d.hong_kong_share, 12), d.top_supplier, round(d.top_supplier_share, 12),
       round(d.hhi, 12), d.suppliers, round(b.china_share, 12),
       round(d.china_share - b.china_share, 12)
FROM dependence d LEFT JOIN baseline b USING (importer, mineral_group)
