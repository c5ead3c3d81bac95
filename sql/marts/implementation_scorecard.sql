-- marts.implementation_scorecard: every commitment of both sides, every quarter from its start, with an indicator, its value against the target, a status and the evidence behind it
-- group: commitments
-- reads: staging.exports_monthly, staging.imports_monthly, marts.ledger_discrepancies
-- includes: scorecard/*.sql
-- preview: ORDER BY quarter DESC, side, commitment_id
-- The rows come from one SQL file per measure, sql/marts/scorecard/<measure>.sql (the measure
-- of each commitment in pipelines/ledger/commitments.yaml): its statement `rows` selects the
-- columns below in this order (quarter ... verified) for the commitments of its measure, from
-- the temp table _scorecard_quarters (commitment_id, quarter, quarter_start, quarter_end, as_of)
-- and the tables its `-- reads:` line names (the asset's dependencies). Parameters available:
-- $as_of (report date), $country, $tolerance_rate, $tolerance_usd (pipelines/ledger/audit.yaml),
-- $baseline_from, $baseline_to (the critical-minerals baseline, pipelines/ledger/minerals.yaml),
-- $missing_figures, $missing_reasons (sources of figures whose optional source the warehouse
-- holds no row of, and why: pipelines.lib.sources.snapshot.missing_figures).
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
    judged_on VARCHAR NOT NULL,
    legal_basis VARCHAR,
    evidence VARCHAR NOT NULL,
    as_of DATE NOT NULL,
    verified BOOLEAN NOT NULL,
    PRIMARY KEY (quarter, commitment_id, indicator)
);
COMMENT ON TABLE marts.implementation_scorecard IS 'Is the agreement being implemented? Every commitment of both sides (pipelines/ledger/commitments.yaml) in every quarter from its start (the U.S. said it would review compliance quarterly): an indicator, the value and target the status was decided from, the status (one vocabulary; docs/SCORECARD.md gives the rule of each commitment), the same numbers in words, the legal basis of a U.S. promise, and the mart rows or ledger entries behind it.';
COMMENT ON COLUMN marts.implementation_scorecard.quarter IS 'Calendar quarter, e.g. 2026Q1.';
COMMENT ON COLUMN marts.implementation_scorecard.side IS 'Who promised: japan or us.';
COMMENT ON COLUMN marts.implementation_scorecard.commitment_id IS 'Commitment id (staging.ledger_commitments).';
COMMENT ON COLUMN marts.implementation_scorecard.indicator IS 'What value measures, in words (e.g. share of customs value collected at or below the promised rate).';
COMMENT ON COLUMN marts.implementation_scorecard.value IS 'The number the status was decided from, at as_of, in unit (a U.S. cap: the share of customs value at or below it, collected and by law; a purchase: cumulative purchases; a tranche: days from selection to funding); NULL when nothing can be measured.';
COMMENT ON COLUMN marts.implementation_scorecard.target IS 'What value was judged against, in unit (the kept share, the pro-rata of the stated amount, the 45 funding days); NULL when there is none (monitored, pending without a date).';
COMMENT ON COLUMN marts.implementation_scorecard.unit IS 'Unit of value and target: USD, t, each, share, days or none.';
COMMENT ON COLUMN marts.implementation_scorecard.status IS 'kept / broken (a cap or a deadline met or not), late (a deadline missed and then met), on_track / behind (an amount against its pro-rata), pending (nothing is due yet), monitored (no agreed numeric target: the indicator and its trend, no verdict; counted apart), not_measurable (a target exists but no data here can show it). The rule of each commitment: docs/SCORECARD.md.';
COMMENT ON COLUMN marts.implementation_scorecard.judged_on IS 'The numbers the status was decided from, in words (e.g. collected 11.9 % against a cap of 15.0 %).';
COMMENT ON COLUMN marts.implementation_scorecard.legal_basis IS 'For a U.S. promise: whether the instrument carrying it is in force, voided (by which ruling, from which day) or replaced (by what the law applies instead), and whether the law stayed at or below the promise; NULL for Japan''s commitments.';
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
