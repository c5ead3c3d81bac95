-- Contracts of staging.ledger_rules (the loader refuses these too; the check proves the warehouse copy)
-- name: no_overlapping_regimes
-- severity: error
-- description: For each side and product category, no two regimes cover the same entry date.
SELECT a.side || '/' || a.category AS partition, a.regime_id || ' overlaps ' || b.regime_id AS value
FROM staging.ledger_rules a JOIN staging.ledger_rules b
  ON a.side = b.side AND a.category = b.category AND a.regime_id < b.regime_id
 AND a.valid_from < coalesce(b.valid_to, DATE '9999-12-31')
 AND b.valid_from < coalesce(a.valid_to, DATE '9999-12-31')
