-- Cross-row contracts of marts.critical_minerals_dependence
-- name: china_is_mainland_plus_hong_kong
-- severity: error
-- description: china_share is China's and Hong Kong's shares added (USGS counts Hong Kong with China): a gap means the partner codes of minerals.yaml and the data disagree.
SELECT strftime(period, '%Y-%m') AS partition,
       printf('%s %s %d-month: %.6f vs %.6f + %.6f', importer, mineral_group, window_months,
              china_share, china_mainland_share, hong_kong_share) AS value
FROM marts.critical_minerals_dependence
WHERE abs(china_share - china_mainland_share - hong_kong_share) > 1e-9
-- name: hhi_at_least_top_share_squared
-- severity: error
-- description: The HHI is at least the top supplier's share squared and at most 1: otherwise the shares do not add up to 1.
SELECT strftime(period, '%Y-%m') AS partition,
       printf('%s %s: hhi %.6f, top share %.6f', importer, mineral_group, hhi,
              top_supplier_share) AS value
FROM marts.critical_minerals_dependence
WHERE hhi < top_supplier_share * top_supplier_share - 1e-9 OR hhi > 1 + 1e-9
