-- staging.ledger_japan_units: how many of a commitment's unit one of Japan Customs' quantity units holds (pipelines/ledger/mirror.yaml)
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.ledger_japan_units (
    japan_unit VARCHAR NOT NULL, unit VARCHAR NOT NULL, factor DOUBLE NOT NULL,
    verified BOOLEAN NOT NULL, PRIMARY KEY (japan_unit, unit)
);
COMMENT ON TABLE staging.ledger_japan_units IS 'Conversions of the quantity units of Japan''s trade statistics (Unit1, Unit2) into the units of purchase commitments (pipelines/ledger/mirror.yaml japan_customs.units): the japan_imports source of marts.commitment_progress reads quantities through it. A pair missing here is a data error for that month, never a zero.';
COMMENT ON COLUMN staging.ledger_japan_units.japan_unit IS 'Japan Customs'' unit code as the files write it (KG, MT, NO, ...).';
COMMENT ON COLUMN staging.ledger_japan_units.unit IS 'A commitment unit (staging.ledger_commitments.unit: t, kg, each, liter, ...).';
COMMENT ON COLUMN staging.ledger_japan_units.factor IS 'How many of unit one japan_unit holds (KG to t: 0.001).';
COMMENT ON COLUMN staging.ledger_japan_units.verified IS 'True for unit codes seen in Japan''s published files.';
-- name: insert
INSERT INTO staging.ledger_japan_units
SELECT japan_unit, unit, factor, verified FROM _ledger_frame
