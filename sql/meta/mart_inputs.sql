-- meta.mart_inputs: what each month of a monthly mart was computed from, so a run recomputes only the months whose inputs changed
-- name: ddl
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.mart_inputs (
    mart VARCHAR NOT NULL,
    period DATE NOT NULL,
    inputs VARCHAR NOT NULL,
    built_at TIMESTAMP NOT NULL,
    PRIMARY KEY (mart, period)
);
COMMENT ON TABLE meta.mart_inputs IS 'Bookkeeping of the incremental marts (pipelines/lib/incremental.py): per mart and month, a fingerprint of the inputs the month was computed from; for a mart rebuilt whole, one row dated 0001-01-01 with a digest of the rows it reads. A run recomputes the months (or the whole mart) whose fingerprint changed; every fingerprint carries the mart''s code version and a digest of the ledger files. Rows named stage/<name> (dated 0001-01-01) hold the digest of the inputs a stage of make run last succeeded with (pipelines/lib/stage_inputs.py): a run with nothing new skips it.';
COMMENT ON COLUMN meta.mart_inputs.mart IS 'The mart (schema.table), e.g. marts.effective_rates_monthly, or a stage of make run (stage/reference, stage/japan, stage/marts).';
COMMENT ON COLUMN meta.mart_inputs.period IS 'First day of the month; 0001-01-01 for a mart rebuilt whole.';
COMMENT ON COLUMN meta.mart_inputs.inputs IS 'The fingerprint: e.g. the staging month''s vintage and row count, and a hash of the ledger tables used.';
COMMENT ON COLUMN meta.mart_inputs.built_at IS 'When the month was last recomputed (UTC).';
