-- _flags, plausibility rules of the Census staging tables (imports and exports, one template)
-- Reads _row_values (row_id, cty_code, hs10, field, raw, value) of the month being staged and
-- _staged_values (period, cty_code, hs10, field, value) of the staging table, both defined by
-- the endpoint's staging SQL; the thresholds are the staging contract's (suite meta
-- plausibility), bound as parameters.
-- name: previous_totals
-- each partner's total of the previous month, per field
CREATE OR REPLACE TEMP TABLE _previous_totals AS
SELECT cty_code, field, sum(value)::DOUBLE AS total
FROM _staged_values
WHERE period = ($period::DATE - INTERVAL 1 MONTH)::DATE
GROUP BY ALL
-- name: history_candidates
-- the values outside_history may flag, judged by every condition but the line's own history
-- (usually none in a national month): only their lines' history is read next, so the rule
-- does not read every line of every month already staged
CREATE OR REPLACE TEMP TABLE _history_candidates AS
SELECT v.row_id, v.cty_code, v.hs10, v.field, v.raw, v.value, p.total AS partner_total
FROM _row_values v
JOIN _previous_totals p USING (cty_code, field)
WHERE list_contains($fields, v.field)
  AND v.value BETWEEN $min_usd AND $max_line_month_usd
  AND v.value > $partner_total_factor * p.total
-- name: line_history
-- each candidate line's largest month (summed over rate provisions) outside this one, per field
CREATE OR REPLACE TEMP TABLE _line_history AS
WITH months AS (
    SELECT s.cty_code, s.hs10, s.field, s.period, sum(s.value) AS value
    FROM _staged_values s
    SEMI JOIN (SELECT DISTINCT cty_code, hs10, field FROM _history_candidates) c
        USING (cty_code, hs10, field)
    WHERE s.period <> $period::DATE
    GROUP BY ALL
)
SELECT cty_code, hs10, field, max(value)::DOUBLE AS largest FROM months GROUP BY ALL
-- name: row_flags
INSERT INTO _flags
SELECT row_id, 'implausible_value', field, raw,
       printf('%s of %.0f USD in one line-month is above the %.0f USD the contract allows '
              '(more than the U.S. trades with all partners in a month)', field, value,
              $max_line_month_usd::DOUBLE)
FROM _row_values
WHERE list_contains($fields, field) AND value > $max_line_month_usd
UNION ALL
SELECT v.row_id, 'outside_history', v.field, v.raw,
       printf('%s of %.0f USD is %s and %.1fx the partner''s total of the previous month '
              '(%.0f); the contract allows %gx and %gx', v.field, v.value,
              CASE WHEN coalesce(h.largest, 0) = 0 THEN 'in a line without value in any other month'
                   ELSE printf('%.0fx the line''s largest other month (%.0f)',
                               v.value / h.largest, h.largest) END,
              v.value / v.partner_total, v.partner_total,
              $history_factor::DOUBLE, $partner_total_factor::DOUBLE)
FROM _history_candidates v
LEFT JOIN _line_history h USING (cty_code, hs10, field)
WHERE v.value > $history_factor * coalesce(h.largest, 0)
-- name: partner_flags
-- a partner's month total (rows not flagged already) 10x its previous month's: every row of
-- the partner is quarantined, so the month stops unless the partner is a sliver of it (values
-- only: a duty total jumps tenfold when a tariff starts on a partner that paid almost none)
INSERT INTO _flags
WITH totals AS (
    SELECT cty_code, field, sum(value) AS total FROM _row_values
    WHERE row_id NOT IN (SELECT row_id FROM _flags)
      AND list_contains($partner_total_fields, field)
    GROUP BY ALL
),
jumps AS (
    SELECT t.cty_code, t.field, t.total, p.total AS previous
    FROM totals t JOIN _previous_totals p USING (cty_code, field)
    WHERE t.total >= $min_usd AND t.total > $partner_total_factor * p.total
)
SELECT DISTINCT ON (v.row_id) v.row_id, 'partner_total_jump', j.field, j.cty_code,
       printf('partner %s''s %s total of %.0f USD is %s its previous month''s %.0f (the '
              'contract allows %gx)', j.cty_code, j.field, j.total,
              CASE WHEN j.previous > 0 THEN printf('%.1fx', j.total / j.previous)
                   ELSE 'far above' END,
              j.previous, $partner_total_factor::DOUBLE)
FROM _row_values v JOIN jumps j USING (cty_code)
WHERE v.row_id NOT IN (SELECT row_id FROM _flags)
ORDER BY v.row_id, j.field
