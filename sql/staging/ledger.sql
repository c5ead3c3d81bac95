-- staging.ledger_*: the validated ledger (pipelines/ledger/*.yaml) as tables, so every audit figure can be traced to its rule
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.ledger_instruments (
    id VARCHAR PRIMARY KEY, title VARCHAR, kind VARCHAR, authority VARCHAR,
    signed_on DATE, published_on DATE, effective_on DATE, ended_on DATE,
    fr_doc VARCHAR, citation VARCHAR, url VARCHAR, note VARCHAR, verified BOOLEAN
);
CREATE TABLE IF NOT EXISTS staging.ledger_rules (
    side VARCHAR NOT NULL, regime_id VARCHAR NOT NULL, valid_from DATE NOT NULL, valid_to DATE,
    label VARCHAR, category VARCHAR NOT NULL, rule VARCHAR NOT NULL, rule_kind VARCHAR NOT NULL,
    rule_rate DOUBLE, as_filed VARCHAR, filed_kind VARCHAR, filed_rate DOUBLE, heading VARCHAR,
    instrument_id VARCHAR, authority VARCHAR, exempt BOOLEAN, refundable BOOLEAN,
    verified BOOLEAN, PRIMARY KEY (side, regime_id, category)
);
CREATE TABLE IF NOT EXISTS staging.ledger_categories (
    category VARCHAR NOT NULL, precedence INTEGER NOT NULL, prefix VARCHAR NOT NULL,
    excluded BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS staging.ledger_units (
    census_unit VARCHAR NOT NULL, hts_unit VARCHAR NOT NULL, factor DOUBLE NOT NULL,
    PRIMARY KEY (census_unit, hts_unit)
);
CREATE TABLE IF NOT EXISTS staging.ledger_provisions (
    provision VARCHAR NOT NULL, label VARCHAR, heading VARCHAR NOT NULL, announced_on DATE,
    instrument_id VARCHAR, signed_on DATE, published_on DATE, legal_effective_on DATE,
    deployed_on DATE, verified BOOLEAN, PRIMARY KEY (provision, heading)
);
COMMENT ON TABLE staging.ledger_provisions IS 'Provisions whose path to the tariff schedule is measured (pipelines/ledger/provisions.yaml), one row per Chapter 99 heading.';
COMMENT ON TABLE staging.ledger_instruments IS 'Legal instruments of the ledger (pipelines/ledger/instruments.yaml) with citations and a verified flag.';
COMMENT ON TABLE staging.ledger_rules IS 'One row per side (law = what U.S. law required, agreement = what Japan was promised), regime (entry dates [valid_from, valid_to)) and product category: the rule giving the all-in rate from the column-1 rate m.';
COMMENT ON COLUMN staging.ledger_rules.rule IS 'm | <rate> | m + <rate> | max(<rate>, m) | none (no promise); rates are decimals.';
COMMENT ON COLUMN staging.ledger_rules.as_filed IS 'What entries were filed at when the law was changed retroactively (stacking period: m + 0.15).';
COMMENT ON COLUMN staging.ledger_rules.verified IS 'False when the rule or its instrument rests on an uncertain fact (DOMAIN.md marks them).';
COMMENT ON TABLE staging.ledger_categories IS 'HS prefixes (and exclusions) of each product category; a line takes the first category in precedence order that claims it, else general.';
COMMENT ON TABLE staging.ledger_units IS 'Census quantity unit to HTS specific-rate unit conversion factors (pipelines/ledger/units.yaml).';
-- name: insert
INSERT INTO staging.ledger_instruments SELECT * FROM _ledger_instruments;
INSERT INTO staging.ledger_rules SELECT * FROM _ledger_rules;
INSERT INTO staging.ledger_categories SELECT * FROM _ledger_categories;
INSERT INTO staging.ledger_units SELECT * FROM _ledger_units;
INSERT INTO staging.ledger_provisions SELECT * FROM _ledger_provisions;
