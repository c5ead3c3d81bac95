-- marts.implementation_scorecard: every commitment of both sides, every quarter from its start, with an indicator, its value against the target, a status and the evidence behind it
-- The rows come from one SQL file per measure, sql/marts/scorecard/<measure>.sql (the measure
-- of each commitment in pipelines/ledger/commitments.yaml): its statement `rows` selects the
-- columns below in this order (quarter ... verified) for the commitments of its measure, from
-- the temp table _scorecard_quarters (commitment_id, quarter, quarter_start, quarter_end, as_of)
-- and the tables its `-- reads:` line names (the asset's dependencies). Parameters available:
-- $as_of (report date), $country, $tolerance_rate, $tolerance_usd (pipelines/ledger/audit.yaml),
-- $baseline_from, $baseline_to (the critical-minerals baseline, pipelines/ledger/minerals.yaml).
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.implementation_scorecard (
    quarter VARCHAR NOT NULL,
    side VARCHAR NOT NULL,
    commitment_id VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    value DOUBLE,
    target DOUBLE,
    unit VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    evidence VARCHAR NOT NULL,
    as_of DATE NOT NULL,
    verified BOOLEAN NOT NULL,
    PRIMARY KEY (quarter, commitment_id, indicator)
);
COMMENT ON TABLE marts.implementation_scorecard IS 'Is the agreement being implemented? Every commitment of both sides (pipelines/ledger/commitments.yaml) in every quarter from its start (the U.S. said it would review compliance quarterly): an indicator, its value against the target, a status decided by the ledger''s thresholds, and the mart rows or ledger entries behind it.';
COMMENT ON COLUMN marts.implementation_scorecard.quarter IS 'Calendar quarter, e.g. 2026Q1.';
COMMENT ON COLUMN marts.implementation_scorecard.side IS 'Who promised: japan or us.';
COMMENT ON COLUMN marts.implementation_scorecard.commitment_id IS 'Commitment id (staging.ledger_commitments).';
COMMENT ON COLUMN marts.implementation_scorecard.indicator IS 'What value measures, in words (e.g. share of customs value collected at or below the promised rate).';
COMMENT ON COLUMN marts.implementation_scorecard.value IS 'The indicator at as_of, in unit; NULL when nothing can be measured.';
COMMENT ON COLUMN marts.implementation_scorecard.target IS 'What value is judged against at as_of (the target path to date, or the threshold share), in unit; NULL when there is none.';
COMMENT ON COLUMN marts.implementation_scorecard.unit IS 'Unit of value and target: USD, t, each, share or none.';
COMMENT ON COLUMN marts.implementation_scorecard.status IS 'on_track, behind, not_implemented (nothing done yet: no tranche selected, or the promise not in the tariff schedule), reversed (the law no longer carries the promise), not_measurable (no data can show it and no evidence does), insufficient_data (the data needed is missing or in error).';
COMMENT ON COLUMN marts.implementation_scorecard.evidence IS 'The mart rows or ledger entries behind the status, with the figures they give.';
COMMENT ON COLUMN marts.implementation_scorecard.as_of IS 'Date the row is as of: the quarter''s last day, or the report date (the end of the latest month of trade data) in the current quarter.';
COMMENT ON COLUMN marts.implementation_scorecard.verified IS 'False when the commitment''s figures or any evidence behind the row is unverified in the ledger.';
-- name: quarters
CREATE OR REPLACE TEMP TABLE _scorecard_quarters AS
SELECT c.commitment_id,
       strftime(q, '%Y') || 'Q' || quarter(q) AS quarter,
       q::DATE AS quarter_start,
       (q + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE AS quarter_end,
       least((q + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE, $as_of::DATE) AS as_of
FROM staging.ledger_commitments c,
     generate_series(date_trunc('quarter', c.start_on), date_trunc('quarter', $as_of::DATE),
                     INTERVAL 3 MONTH) AS g(q)
WHERE c.start_on <= $as_of::DATE
