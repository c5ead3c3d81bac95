-- Commitments only dated evidence can show (vehicle standards, vehicle subsidies, defense procurement, the quarterly review): kept once the latest entry of pipelines/ledger/evidence.yaml shows it implemented, broken when withdrawn, pending while announced or in progress, not measurable without evidence; monitored when no agreed numeric target exists
-- reads: staging.ledger_evidence, staging.ledger_commitments
-- name: rows
WITH commitments AS (
    SELECT * FROM staging.ledger_commitments WHERE measure = 'ledger_only'
),
latest AS (
    SELECT q.commitment_id, q.quarter, e.*
    FROM _scorecard_quarters q
    JOIN staging.ledger_evidence e
      ON e.commitment_id = q.commitment_id AND e.event_date <= q.as_of
    QUALIFY row_number() OVER (PARTITION BY q.commitment_id, q.quarter
                               ORDER BY e.event_date DESC, e.ordinal DESC) = 1
)
SELECT q.quarter, c.side, c.commitment_id,
       'latest dated evidence (pipelines/ledger/evidence.yaml)' AS indicator,
       NULL::DOUBLE AS value, c.target_amount, c.unit,
       CASE WHEN c.monitored THEN 'monitored'
            WHEN e.stage = 'implemented' THEN 'kept'
            WHEN e.stage = 'withdrawn' THEN 'broken'
            WHEN e.stage IN ('announced', 'in_progress') THEN 'pending'
            ELSE 'not_measurable' END,
       CASE WHEN c.monitored AND e.evidence_id IS NULL
                THEN 'no agreed numeric target and no dated evidence: monitored'
            WHEN c.monitored
                THEN printf('no agreed numeric target: monitored; latest evidence %s on %s',
                            e.stage, strftime(e.event_date, '%Y-%m-%d'))
            WHEN e.evidence_id IS NULL
                THEN 'no dated evidence by ' || strftime(q.as_of, '%Y-%m-%d')
                     || ': trade data cannot show it'
            ELSE printf('%s on %s', e.stage, strftime(e.event_date, '%Y-%m-%d'))
       END,
       NULL::VARCHAR AS legal_basis,
       CASE WHEN e.evidence_id IS NULL
            THEN 'no dated evidence in evidence.yaml by ' || strftime(q.as_of, '%Y-%m-%d')
            ELSE printf('evidence.yaml %s (%s, %s): %s', e.evidence_id, e.stage,
                        strftime(e.event_date, '%Y-%m-%d'), e.event)
       END,
       q.as_of, c.verified AND coalesce(e.verified, true)
FROM _scorecard_quarters q
JOIN commitments c USING (commitment_id)
LEFT JOIN latest e ON e.commitment_id = q.commitment_id AND e.quarter = q.quarter
