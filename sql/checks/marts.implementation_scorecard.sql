-- Contracts of marts.implementation_scorecard
-- name: every_commitment_every_quarter
-- severity: error
-- description: Every commitment of the ledger that has started has a row in every quarter from its start to the scorecard's latest quarter (a measure file that forgets a commitment, or a commitment whose measure wrote nothing, fails).
WITH latest AS (
    SELECT max(as_of) AS as_of FROM marts.implementation_scorecard
),
expected AS (
    SELECT c.commitment_id, strftime(g.q, '%Y') || 'Q' || quarter(g.q) AS quarter
    FROM staging.ledger_commitments c
    CROSS JOIN latest l
    CROSS JOIN generate_series(date_trunc('quarter', c.start_on), date_trunc('quarter', l.as_of),
                               INTERVAL 3 MONTH) AS g(q)
    WHERE c.start_on <= l.as_of
)
SELECT e.quarter AS partition, e.commitment_id AS value
FROM expected e
WHERE NOT EXISTS (SELECT 1 FROM marts.implementation_scorecard s
                  WHERE s.commitment_id = e.commitment_id AND s.quarter = e.quarter)
UNION ALL
SELECT 'all', 'the scorecard is empty but the ledger has commitments started by the report date'
-- (trade data that ends before every commitment started, e.g. 2024 only, leaves it empty)
WHERE EXISTS (SELECT 1 FROM staging.ledger_commitments
              WHERE start_on <= coalesce((SELECT last_day(max(period))
                                          FROM staging.imports_monthly), current_date))
  AND NOT EXISTS (SELECT 1 FROM marts.implementation_scorecard)

-- name: us_promises_have_a_legal_basis
-- severity: error
-- description: Every row of a U.S. tariff promise (measure us_line_audit) says whether the instrument carrying it is in force, voided or replaced.
SELECT s.quarter AS partition, s.commitment_id AS value
FROM marts.implementation_scorecard s
JOIN staging.ledger_commitments c USING (commitment_id)
WHERE c.measure = 'us_line_audit' AND s.status <> 'not_measurable'
  AND (s.legal_basis IS NULL OR NOT regexp_matches(s.legal_basis, '^(in force|voided|replaced): '))
