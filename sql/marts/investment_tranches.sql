-- marts.investment_tranches: every tranche (and candidate list) of the investment commitment at every stage it reached, with the funding clock: a selected tranche not funded within the ledger's funding_days is overdue
-- group: commitments
-- reads: staging.ledger_evidence, staging.ledger_commitments, staging.exports_monthly, staging.imports_monthly
-- preview: ORDER BY event_date DESC
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.investment_tranches (
    commitment_id VARCHAR NOT NULL,
    tranche_id VARCHAR NOT NULL,
    event_date DATE NOT NULL,
    stage VARCHAR NOT NULL,
    amount_usd DOUBLE,
    projects VARCHAR[],
    sponsors VARCHAR[],
    locations VARCHAR[],
    source_url VARCHAR,
    verified BOOLEAN NOT NULL,
    funding_due_on DATE,
    evidence_ids VARCHAR[] NOT NULL,
    funding_amount_stated BOOLEAN,
    PRIMARY KEY (commitment_id, tranche_id, stage)
);
COMMENT ON TABLE marts.investment_tranches IS 'The investment commitment''s tranches (and candidate lists) from the evidence ledger (pipelines/ledger/evidence.yaml), one row per tranche and stage reached by the report date, plus an overdue row when a selected tranche has no funding evidence within the funding_days of the memorandum (45 days).';
COMMENT ON COLUMN marts.investment_tranches.commitment_id IS 'Investment commitment (staging.ledger_commitments), e.g. jp-investment-550bn.';
COMMENT ON COLUMN marts.investment_tranches.tranche_id IS 'Tranche id from the evidence ledger (tranche-1, or a candidate list such as candidates-2025-10-28).';
COMMENT ON COLUMN marts.investment_tranches.event_date IS 'First day of the stage: the earliest entry''s date; for overdue, the first day after the funding deadline.';
COMMENT ON COLUMN marts.investment_tranches.stage IS 'candidate (on a candidate list), selected (chosen by the President; the funding clock starts), funded (funding evidence), or overdue (selected, no funding evidence within funding_days).';
COMMENT ON COLUMN marts.investment_tranches.amount_usd IS 'The stage''s amount: the entry with scope total when there is one, else the sum of its project entries; USD as announced (often an upper bound, see staging.ledger_evidence.amount_qualifier). A funded stage whose evidence states no USD amount carries the selected amount (funding_amount_stated false).';
COMMENT ON COLUMN marts.investment_tranches.projects IS 'Projects named by the stage''s project entries (by its total entry when it has none), in ledger order.';
COMMENT ON COLUMN marts.investment_tranches.sponsors IS 'Sponsors or operators named by the same entries, sorted and without repeats.';
COMMENT ON COLUMN marts.investment_tranches.locations IS 'Locations named by the same entries, sorted and without repeats.';
COMMENT ON COLUMN marts.investment_tranches.source_url IS 'Source of the stage''s total entry, else of its first entry.';
COMMENT ON COLUMN marts.investment_tranches.verified IS 'True only when every entry behind the row is verified (news sources are not).';
COMMENT ON COLUMN marts.investment_tranches.funding_due_on IS 'For selected and overdue rows: the last day Japan had to fund (selection date + funding_days); NULL otherwise.';
COMMENT ON COLUMN marts.investment_tranches.evidence_ids IS 'The evidence.yaml entries behind the row, in file order.';
COMMENT ON COLUMN marts.investment_tranches.funding_amount_stated IS 'For a funded row: true when its evidence states the USD amount funded, false when the selected amount stands in for it; NULL for other stages.';
-- name: insert
INSERT INTO marts.investment_tranches
WITH commitments AS (
    SELECT commitment_id, thresholds['funding_days']::INTEGER AS funding_days
    FROM staging.ledger_commitments
    WHERE measure = 'investment'
),
entries AS (
    -- projects, sponsors and locations come from a stage's project entries when it has any
    -- (its total entry only summarises them)
    SELECT e.*, c.funding_days,
           e.scope IS DISTINCT FROM 'total'
           OR NOT bool_or(e.scope = 'project') OVER (PARTITION BY e.commitment_id, e.tranche, e.stage)
               AS named
    FROM staging.ledger_evidence e
    JOIN commitments c USING (commitment_id)
    WHERE e.tranche IS NOT NULL AND e.event_date <= $as_of::DATE
),
stages AS (
    SELECT commitment_id, tranche AS tranche_id, stage, min(event_date) AS event_date,
           coalesce(max(amount_usd) FILTER (WHERE scope = 'total'),
                    sum(amount_usd) FILTER (WHERE scope = 'project')) AS amount_usd,
           flatten(list(projects ORDER BY ordinal) FILTER (WHERE named)) AS projects,
           list_sort(list_distinct(flatten(list(sponsors) FILTER (WHERE named)))) AS sponsors,
           list_sort(list_distinct(flatten(list(locations) FILTER (WHERE named)))) AS locations,
           coalesce(arg_min(source_url, ordinal) FILTER (WHERE scope = 'total'),
                    arg_min(source_url, ordinal)) AS source_url,
           bool_and(verified) AS verified,
           CASE WHEN stage = 'selected' THEN min(event_date) + max(funding_days) END
               AS funding_due_on,
           list(evidence_id ORDER BY ordinal) AS evidence_ids
    FROM entries
    GROUP BY commitment_id, tranche, stage
),
overdue AS (
    SELECT s.commitment_id, s.tranche_id, s.funding_due_on + 1 AS event_date,
           'overdue' AS stage, s.amount_usd, s.projects, s.sponsors, s.locations,
           s.source_url, s.verified, s.funding_due_on, s.evidence_ids
    FROM stages s
    LEFT JOIN stages f
      ON f.commitment_id = s.commitment_id AND f.tranche_id = s.tranche_id
     AND f.stage = 'funded'
    WHERE s.stage = 'selected'
      AND s.funding_due_on < $as_of::DATE
      AND (f.event_date IS NULL OR f.event_date > s.funding_due_on)
)
SELECT commitment_id, tranche_id, event_date, stage,
       coalesce(amount_usd, CASE WHEN stage = 'funded' THEN max(amount_usd) FILTER (
           WHERE stage = 'selected') OVER (PARTITION BY commitment_id, tranche_id) END),
       projects, sponsors, locations, source_url, verified, funding_due_on, evidence_ids,
       CASE WHEN stage = 'funded' THEN amount_usd IS NOT NULL END
FROM stages
UNION ALL
SELECT *, NULL FROM overdue
