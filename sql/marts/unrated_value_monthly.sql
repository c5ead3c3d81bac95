-- marts.unrated_value_monthly: the import value whose column-1 rate cannot be resolved, by month, partner, sector and reason
-- group: indicators
-- reads: staging.imports_monthly, staging.hts_lines
-- reads: staging.ledger_instruments, staging.ledger_rules, staging.ledger_categories, staging.ledger_units, staging.ledger_provisions, staging.ledger_category_sectors, staging.ledger_chapter99, staging.ledger_about
-- preview: WHERE cty_code = '5880' ORDER BY period DESC, con_val DESC
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.unrated_value_monthly (
    period DATE NOT NULL,
    cty_code VARCHAR NOT NULL,
    sector VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    con_val BIGINT,
    lines INTEGER,
    PRIMARY KEY (period, cty_code, sector, reason)
);
COMMENT ON TABLE marts.unrated_value_monthly IS 'Honest coverage: the customs value of each month, partner and sector whose column-1 rate cannot be resolved from the HTS release in force (mid-month) and the month''s own Census quantities, by reason. marts.effective_rates_monthly.rated_value_share is one minus its share; the Japan line audit resolves more (it borrows the unit value of the nearest month), and its unrated value is in marts.deal_conformance_monthly.unrated_value_usd.';
COMMENT ON COLUMN marts.unrated_value_monthly.period IS 'First day of the statistical month.';
COMMENT ON COLUMN marts.unrated_value_monthly.cty_code IS 'CTY_CODE: Census country code of the partner (5880 Japan, - all countries).';
COMMENT ON COLUMN marts.unrated_value_monthly.sector IS 'Sector of pipelines/ledger/sectors.yaml (longest prefix wins), or other.';
COMMENT ON COLUMN marts.unrated_value_monthly.reason IS 'low_value_estimate (HS 9999.95, Census''s estimate of low-value shipments, not a tariff line), not_in_schedule (no 10- or 8-digit line in the release), rate_not_numeric (column-1 text not computable), rate_on_unreported_basis (specific rate on drained weight, metal content, case and strap ...), no_quantity (specific or compound rate without a quantity in a convertible unit).';
COMMENT ON COLUMN marts.unrated_value_monthly.con_val IS 'Customs value of those lines, USD.';
COMMENT ON COLUMN marts.unrated_value_monthly.lines IS 'Number of HS10 lines.';
-- name: inputs
-- per month, what its rows are computed from (pipelines/lib/incremental.py): the month's imports
-- (vintage, rows), the release in force mid-month and a digest of that release's lines, and a
-- digest of the ledger's unit conversions; the sectors are the caller's salt
WITH releases AS (SELECT * FROM release_starts()),
imports AS (
    SELECT period, strftime(max(vintage), '%Y-%m-%dT%H:%M:%S.%f') || '/' || count(*) AS inputs
    FROM staging.imports_monthly GROUP BY period
),
months AS (
    SELECT m.period, m.inputs, coalesce(r.release, (SELECT release FROM releases
                                                    ORDER BY start_date LIMIT 1)) AS release
    FROM imports m
    ASOF LEFT JOIN releases r ON m.period + INTERVAL 14 DAY >= r.start_date
),
lines AS (
    SELECT release, count(*) || ':' || sum(hash(l)) AS digest
    FROM staging.hts_lines l GROUP BY release
)
SELECT m.period, m.inputs || '/' || coalesce(m.release, '-') || ':' || coalesce(l.digest, '-')
       || '/' || (SELECT count(*) || ':' || coalesce(sum(hash(u)), 0)
                  FROM staging.ledger_units u)
FROM months m LEFT JOIN lines l USING (release)
-- name: insert
-- the months $periods (recomputed whole; the others are kept)
INSERT INTO marts.unrated_value_monthly
WITH releases AS (SELECT * FROM release_starts()),
months AS (
    SELECT m.period, coalesce(r.release, (SELECT release FROM releases ORDER BY start_date
                                          LIMIT 1)) AS release
    FROM (SELECT DISTINCT period FROM staging.imports_monthly
          WHERE period IN (SELECT unnest($periods::DATE[]))) m
    ASOF LEFT JOIN releases r ON m.period + INTERVAL 14 DAY >= r.start_date
),
rows AS (
    SELECT period, cty_code, hs10, sum(con_val) AS con_val, sum(con_qty1) AS qty,
           max(unit_qty1) AS unit
    FROM staging.imports_monthly WHERE period IN (SELECT unnest($periods::DATE[]))
    GROUP BY ALL
),
fallback AS (
    SELECT release, hs8, rate_kind, specific_unit, specific_unit_2, specific_basis,
           specific_basis_2
    FROM staging.hts_lines
    QUALIFY row_number() OVER (PARTITION BY release, hs8 ORDER BY hs10) = 1
),
resolved AS (
    SELECT r.*, coalesce(x.rate_kind, f.rate_kind) AS rate_kind,
           x.hs10 IS NULL AND f.hs8 IS NULL AS missing,
           coalesce(x.specific_basis, x.specific_basis_2, f.specific_basis, f.specific_basis_2)
               AS basis,
           coalesce(x.specific_unit, f.specific_unit) AS unit1,
           coalesce(x.specific_unit_2, f.specific_unit_2) AS unit2
    FROM rows r JOIN months m USING (period)
    LEFT JOIN staging.hts_lines x ON x.release = m.release AND x.hs10 = r.hs10
    LEFT JOIN fallback f ON f.release = m.release AND f.hs8 = left(r.hs10, 8)
),
classified AS (
    SELECT *,
           CASE WHEN starts_with(hs10, '9999') THEN 'low_value_estimate'
                WHEN missing THEN 'not_in_schedule'
                WHEN rate_kind IN ('free', 'ad_valorem') THEN NULL
                WHEN rate_kind NOT IN ('specific', 'compound') THEN 'rate_not_numeric'
                WHEN basis IS NOT NULL THEN 'rate_on_unreported_basis'
                WHEN coalesce(qty, 0) <= 0
                     OR NOT EXISTS (SELECT 1 FROM staging.ledger_units u
                                    WHERE u.census_unit = unit AND u.hts_unit = unit1)
                     OR (unit2 IS NOT NULL
                         AND NOT EXISTS (SELECT 1 FROM staging.ledger_units u
                                         WHERE u.census_unit = unit AND u.hts_unit = unit2))
                    THEN 'no_quantity'
           END AS reason
    FROM resolved
),
code_sector AS (
    SELECT c.hs10, p.sector
    FROM (SELECT DISTINCT hs10 FROM classified WHERE reason IS NOT NULL) c
    JOIN _sector_prefixes p ON starts_with(c.hs10, p.prefix)
    QUALIFY row_number() OVER (PARTITION BY c.hs10 ORDER BY length(p.prefix) DESC) = 1
)
SELECT c.period, c.cty_code, coalesce(s.sector, 'other'), c.reason, sum(c.con_val), count(*)
FROM classified c LEFT JOIN code_sector s USING (hs10)
WHERE c.reason IS NOT NULL
GROUP BY ALL
