-- The investment commitment, tranche by tranche: a candidate is pending (no clock runs), a selected tranche is pending for its funding days, kept when funded within them, late when funded after, broken while unfunded past them; plus the selected and funded totals against the stated amount, as context (pending until its date)
-- reads: marts.investment_tranches, marts.investment_progress, staging.ledger_commitments
-- name: rows
WITH commitments AS (
    SELECT *, thresholds['funding_days']::INTEGER AS funding_days
    FROM staging.ledger_commitments WHERE measure = 'investment'
),
tranches AS (
    -- each tranche known by the row's date, with the dates of its stages by then
    SELECT q.commitment_id, q.quarter, q.as_of, t.tranche_id,
           min(t.event_date) FILTER (WHERE t.stage = 'candidate') AS candidate_on,
           min(t.event_date) FILTER (WHERE t.stage = 'selected') AS selected_on,
           min(t.funding_due_on) FILTER (WHERE t.stage = 'selected') AS due_on,
           min(t.event_date) FILTER (WHERE t.stage = 'funded') AS funded_on,
           max(t.amount_usd) FILTER (WHERE t.stage IN ('candidate', 'selected')) AS amount_usd,
           bool_and(t.verified) AS verified,
           list_sort(list_distinct(flatten(list(t.evidence_ids)))) AS evidence_ids
    FROM _scorecard_quarters q
    JOIN marts.investment_tranches t
      ON t.commitment_id = q.commitment_id AND t.event_date <= q.as_of
     AND t.stage IN ('candidate', 'selected', 'funded')
    GROUP BY ALL
),
judged AS (
    SELECT *,
           CASE WHEN selected_on IS NULL THEN 'pending'
                WHEN funded_on IS NOT NULL AND funded_on <= due_on THEN 'kept'
                WHEN funded_on IS NOT NULL THEN 'late'
                WHEN as_of > due_on THEN 'broken'
                ELSE 'pending' END AS status,
           datediff('day', selected_on, coalesce(funded_on, as_of)) AS days
    FROM tranches
),
totals AS (
    SELECT q.commitment_id, q.quarter,
           max(p.cumulative_usd) FILTER (WHERE p.stage = 'selected') AS selected_usd,
           max(p.tranches) FILTER (WHERE p.stage = 'selected') AS selected_tranches,
           max(p.cumulative_usd) FILTER (WHERE p.stage = 'funded') AS funded_usd,
           max(p.cumulative_usd) FILTER (WHERE p.stage = 'candidate') AS candidate_usd
    FROM _scorecard_quarters q
    JOIN marts.investment_progress p ON p.commitment_id = q.commitment_id AND p.date = q.as_of
    GROUP BY ALL
)
SELECT q.quarter, c.side, c.commitment_id,
       printf('%s: funded within %d days of its selection by the President', j.tranche_id,
              c.funding_days) AS indicator,
       j.days::DOUBLE, c.funding_days::DOUBLE, 'days', j.status,
       CASE WHEN j.selected_on IS NULL
                THEN printf('a candidate since %s ($%.1f bn): not selected, so no funding clock '
                            'runs', strftime(j.candidate_on, '%Y-%m-%d'),
                            coalesce(j.amount_usd, 0) / 1e9)
            WHEN j.funded_on IS NOT NULL
                THEN printf('selected on %s, funded on %s: day %d of %d',
                            strftime(j.selected_on, '%Y-%m-%d'),
                            strftime(j.funded_on, '%Y-%m-%d'), j.days, c.funding_days)
            WHEN j.status = 'broken'
                THEN printf('selected on %s, no funding evidence by %s: day %d, due by %s',
                            strftime(j.selected_on, '%Y-%m-%d'),
                            strftime(j.as_of, '%Y-%m-%d'), j.days,
                            strftime(j.due_on, '%Y-%m-%d'))
            ELSE printf('selected on %s: day %d of %d, funding due by %s',
                        strftime(j.selected_on, '%Y-%m-%d'), j.days, c.funding_days,
                        strftime(j.due_on, '%Y-%m-%d'))
       END AS judged_on,
       NULL::VARCHAR AS legal_basis,
       printf('marts.investment_tranches %s ($%.1f bn): evidence.yaml %s', j.tranche_id,
              coalesce(j.amount_usd, 0) / 1e9, array_to_string(j.evidence_ids, ', ')),
       q.as_of, c.verified AND j.verified
FROM _scorecard_quarters q
JOIN commitments c USING (commitment_id)
JOIN judged j ON j.commitment_id = q.commitment_id AND j.quarter = q.quarter
UNION ALL
SELECT q.quarter, c.side, c.commitment_id,
       printf('total: selected and funded so far against %s by %s (context: the agreement '
              'sets no path to it)', format('${:,.0f} bn', c.target_amount / 1e9),
              strftime(c.target_deadline, '%Y-%m-%d')) AS indicator,
       coalesce(t.selected_usd, 0), c.target_amount, c.unit,
       CASE WHEN q.as_of < c.target_deadline THEN 'pending'
            WHEN coalesce(t.funded_usd, 0) >= c.target_amount THEN 'kept'
            ELSE 'broken' END,
       printf('selected $%.1f bn in %d tranche(s), funded $%.1f bn (amounts as selected), '
              'candidates $%.1f bn, of %s due by %s%s',
              coalesce(t.selected_usd, 0) / 1e9, coalesce(t.selected_tranches, 0),
              coalesce(t.funded_usd, 0) / 1e9, coalesce(t.candidate_usd, 0) / 1e9,
              format('${:,.0f} bn', c.target_amount / 1e9),
              strftime(c.target_deadline, '%Y-%m-%d'),
              CASE WHEN q.as_of < c.target_deadline
                   THEN ': nothing is due before that date' ELSE '' END),
       NULL::VARCHAR,
       printf('marts.investment_progress %s', strftime(q.as_of, '%Y-%m-%d')),
       q.as_of, c.verified
FROM _scorecard_quarters q
JOIN commitments c USING (commitment_id)
LEFT JOIN totals t ON t.commitment_id = q.commitment_id AND t.quarter = q.quarter
