-- Commitments only dated evidence can show (defense procurement, vehicle standards, the quarterly review): the latest entry of pipelines/ledger/evidence.yaml, else not measurable
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
       CASE e.stage WHEN 'implemented' THEN 'on_track'
                    WHEN 'withdrawn' THEN 'reversed'
                    ELSE 'not_measurable' END,
       CASE WHEN e.evidence_id IS NULL
            THEN 'no dated evidence in evidence.yaml by ' || strftime(q.as_of, '%Y-%m-%d')
                 || '; trade data cannot measure it'
            ELSE printf('evidence.yaml %s (%s, %s): %s', e.evidence_id, e.stage,
                        strftime(e.event_date, '%Y-%m-%d'), e.event)
       END,
       q.as_of, c.verified AND coalesce(e.verified, true)
FROM _scorecard_quarters q
JOIN commitments c USING (commitment_id)
LEFT JOIN latest e ON e.commitment_id = q.commitment_id AND e.quarter = q.quarter
