-- The investment commitment: the amount selected so far against the linear path to the target (marts.investment_progress), with the funding clock of the selected tranches (marts.investment_tranches)
-- reads: marts.investment_progress, marts.investment_tranches, staging.ledger_commitments
-- name: rows
WITH commitments AS (
    SELECT * FROM staging.ledger_commitments WHERE measure = 'investment'
),
at_date AS (
    SELECT q.commitment_id, q.quarter,
           max(p.cumulative_usd) FILTER (WHERE p.stage = 'selected') AS selected_usd,
           max(p.tranches) FILTER (WHERE p.stage = 'selected') AS selected_tranches,
           max(p.cumulative_usd) FILTER (WHERE p.stage = 'funded') AS funded_usd,
           max(p.target_path_usd) AS path_usd
    FROM _scorecard_quarters q
    JOIN marts.investment_progress p ON p.commitment_id = q.commitment_id AND p.date = q.as_of
    GROUP BY ALL
),
overdue AS (
    -- selected tranches past their funding deadline without funding evidence by the row's date
    SELECT q.commitment_id, q.quarter,
           string_agg(printf('%s (due %s)', t.tranche_id, strftime(t.funding_due_on, '%Y-%m-%d')),
                      ', ' ORDER BY t.tranche_id) AS tranches
    FROM _scorecard_quarters q
    JOIN marts.investment_tranches t
      ON t.commitment_id = q.commitment_id AND t.stage = 'overdue' AND t.event_date <= q.as_of
    WHERE NOT EXISTS (SELECT 1 FROM marts.investment_tranches f
                      WHERE f.commitment_id = t.commitment_id AND f.tranche_id = t.tranche_id
                        AND f.stage = 'funded' AND f.event_date <= q.as_of)
    GROUP BY ALL
),
selected AS (
    SELECT q.commitment_id, q.quarter,
           string_agg(DISTINCT t.tranche_id, ', ' ORDER BY t.tranche_id) AS tranches,
           bool_and(t.verified) AS verified
    FROM _scorecard_quarters q
    JOIN marts.investment_tranches t
      ON t.commitment_id = q.commitment_id AND t.stage IN ('selected', 'funded')
     AND t.event_date <= q.as_of
    GROUP BY ALL
)
SELECT q.quarter, c.side, c.commitment_id,
       'investment selected so far (USD) vs the linear path to ' || format('{:,.0f}', c.target_amount)
           || ' by ' || strftime(c.target_deadline, '%Y-%m-%d') AS indicator,
       coalesce(a.selected_usd, 0), a.path_usd, c.unit,
       CASE WHEN a.path_usd IS NULL THEN 'insufficient_data'
            WHEN coalesce(a.selected_usd, 0) = 0 THEN 'not_implemented'
            WHEN o.tranches IS NOT NULL THEN 'behind'
            WHEN a.selected_usd / nullif(a.path_usd, 0) < c.thresholds['behind_below_pace']
                THEN 'behind'
            ELSE 'on_track' END,
       printf('marts.investment_progress %s: selected $%.1f bn in %d tranche(s), funded $%.1f bn, '
              'path $%.1f bn%s; marts.investment_tranches: %s',
              strftime(q.as_of, '%Y-%m-%d'), coalesce(a.selected_usd, 0) / 1e9,
              coalesce(a.selected_tranches, 0), coalesce(a.funded_usd, 0) / 1e9,
              coalesce(a.path_usd, 0) / 1e9,
              CASE WHEN o.tranches IS NOT NULL
                   THEN printf('; no funding evidence %d days after selection: %s',
                               c.thresholds['funding_days']::INTEGER, o.tranches)
                   ELSE '' END,
              coalesce(s.tranches || ' (evidence.yaml entries in evidence_ids)', 'no tranche selected')),
       q.as_of, c.verified AND coalesce(s.verified, true)
FROM _scorecard_quarters q
JOIN commitments c USING (commitment_id)
LEFT JOIN at_date a ON a.commitment_id = q.commitment_id AND a.quarter = q.quarter
LEFT JOIN overdue o ON o.commitment_id = q.commitment_id AND o.quarter = q.quarter
LEFT JOIN selected s ON s.commitment_id = q.commitment_id AND s.quarter = q.quarter
