-- staging.ledger_*: the validated ledger (pipelines/ledger/*.yaml) as tables, so every audit figure can be traced to its rule
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.ledger_instruments (
    id VARCHAR PRIMARY KEY, title VARCHAR, kind VARCHAR, authority VARCHAR,
    signed_on DATE, published_on DATE, effective_on DATE, ended_on DATE,
    fr_doc VARCHAR, number BIGINT, citation VARCHAR, url VARCHAR, note VARCHAR, verified BOOLEAN
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
COMMENT ON COLUMN staging.ledger_provisions.provision IS 'Provision id from pipelines/ledger/provisions.yaml (e.g. japan-general-floor).';
COMMENT ON COLUMN staging.ledger_provisions.label IS 'Description of the provision (provisions.yaml label).';
COMMENT ON COLUMN staging.ledger_provisions.heading IS 'One Chapter 99 heading of the provision, with dots (e.g. 9903.02.73).';
COMMENT ON COLUMN staging.ledger_provisions.announced_on IS 'Date the provision was announced (provisions.yaml announced_on).';
COMMENT ON COLUMN staging.ledger_provisions.instrument_id IS 'Instrument that enacted the provision (staging.ledger_instruments.id).';
COMMENT ON COLUMN staging.ledger_provisions.signed_on IS 'Date that instrument was signed (instruments.yaml); NULL when not recorded.';
COMMENT ON COLUMN staging.ledger_provisions.published_on IS 'Date that instrument was published (instruments.yaml); NULL when not recorded.';
COMMENT ON COLUMN staging.ledger_provisions.legal_effective_on IS 'Date the provision took legal effect (provisions.yaml legal_effective_on).';
COMMENT ON COLUMN staging.ledger_provisions.deployed_on IS 'Publication date of the CBP instrument named by deployed_by; NULL when none is recorded.';
COMMENT ON COLUMN staging.ledger_provisions.verified IS 'True when both the provision and its instrument are verified in the ledger.';
COMMENT ON TABLE staging.ledger_instruments IS 'Legal instruments of the ledger (pipelines/ledger/instruments.yaml) with citations and a verified flag.';
COMMENT ON COLUMN staging.ledger_instruments.id IS 'Instrument id from pipelines/ledger/instruments.yaml (e.g. proc-10908-autos; none = no instrument, column 1 applies).';
COMMENT ON COLUMN staging.ledger_instruments.title IS 'Title of the instrument (e.g. Adjusting Imports of Automobiles and Automobile Parts Into the United States (Proclamation 10908)).';
COMMENT ON COLUMN staging.ledger_instruments.kind IS 'executive_order, proclamation, notice, csms, court_decision or baseline (the column-1 schedule itself).';
COMMENT ON COLUMN staging.ledger_instruments.authority IS 'Legal authority: ieepa, section_232, section_122, section_301 or mfn (column 1).';
COMMENT ON COLUMN staging.ledger_instruments.signed_on IS 'Date the instrument was signed; NULL when not recorded.';
COMMENT ON COLUMN staging.ledger_instruments.published_on IS 'Date the instrument was published (Federal Register, CBP); NULL when not recorded.';
COMMENT ON COLUMN staging.ledger_instruments.effective_on IS 'First entry date the instrument governs; NULL when not recorded.';
COMMENT ON COLUMN staging.ledger_instruments.ended_on IS 'First entry date the instrument no longer governs (exclusive, like a regime''s to); NULL while in force.';
COMMENT ON COLUMN staging.ledger_instruments.fr_doc IS 'Federal Register document number (e.g. 2025-05930); NULL when the instrument has none.';
COMMENT ON COLUMN staging.ledger_instruments.number IS 'Executive order or proclamation number (e.g. 14345, 10908); compared with the Federal Register record in marts.ledger_discrepancies; NULL when not recorded.';
COMMENT ON COLUMN staging.ledger_instruments.citation IS 'Published citation (e.g. 90 FR 14705, or the HTS for column 1); NULL when only fr_doc is known.';
COMMENT ON COLUMN staging.ledger_instruments.url IS 'Address of the instrument''s text (federalregister.gov, CBP, White House).';
COMMENT ON COLUMN staging.ledger_instruments.note IS 'Free-text note of the ledger on scope, dates or caveats; NULL when none.';
COMMENT ON COLUMN staging.ledger_instruments.verified IS 'True only when the document number and dates were confirmed against the Federal Register or the sources of DOMAIN.md.';
COMMENT ON TABLE staging.ledger_rules IS 'One row per side (law = what U.S. law required, agreement = what Japan was promised), regime (entry dates [valid_from, valid_to)) and product category: the rule giving the all-in rate from the column-1 rate m.';
COMMENT ON COLUMN staging.ledger_rules.rule IS 'm | <rate> | m + <rate> | max(<rate>, m) | none (no promise); rates are decimals.';
COMMENT ON COLUMN staging.ledger_rules.as_filed IS 'What entries were filed at when the law was changed retroactively (stacking period: m + 0.15).';
COMMENT ON COLUMN staging.ledger_rules.verified IS 'False when the rule or its instrument rests on an uncertain fact (DOMAIN.md marks them).';
COMMENT ON COLUMN staging.ledger_rules.side IS 'law (pipelines/ledger/regimes_japan.yaml: what U.S. law required) or agreement (pipelines/ledger/agreement_japan.yaml: what Japan was promised).';
COMMENT ON COLUMN staging.ledger_rules.regime_id IS 'Regime id from the side''s YAML file (e.g. law-2025-232-autos, deal-none).';
COMMENT ON COLUMN staging.ledger_rules.valid_from IS 'First entry date of the regime (YAML from), inclusive.';
COMMENT ON COLUMN staging.ledger_rules.valid_to IS 'Entry date the regime ends (YAML to), exclusive; NULL for the open-ended last regime.';
COMMENT ON COLUMN staging.ledger_rules.label IS 'Description of the regime (YAML label).';
COMMENT ON COLUMN staging.ledger_rules.category IS 'Product category the rule applies to: an id of pipelines/ledger/categories.yaml, or general.';
COMMENT ON COLUMN staging.ledger_rules.rule_kind IS 'Parse of rule: m, const (<rate>), add (m + <rate>), floor (max(<rate>, m)) or none; evaluated by the apply_rule macro.';
COMMENT ON COLUMN staging.ledger_rules.rule_rate IS 'The <rate> of rule as a decimal (0.15 = 15 %); NULL for kinds m and none.';
COMMENT ON COLUMN staging.ledger_rules.filed_kind IS 'Parse of as_filed (m, const, add or floor); NULL when the rule has no as_filed.';
COMMENT ON COLUMN staging.ledger_rules.filed_rate IS 'The <rate> of as_filed as a decimal; NULL when as_filed is absent or has no rate.';
COMMENT ON COLUMN staging.ledger_rules.heading IS 'Chapter 99 heading that carries the rule, with dots (e.g. 9903.94.01); NULL when column 1 applies as is.';
COMMENT ON COLUMN staging.ledger_rules.instrument_id IS 'Instrument that made the rule (staging.ledger_instruments.id; none for column 1).';
COMMENT ON COLUMN staging.ledger_rules.authority IS 'Legal authority of that instrument (ieepa, section_232, section_122, section_301, mfn); ieepa days feed ieepa_refund_usd.';
COMMENT ON COLUMN staging.ledger_rules.exempt IS 'True when the category is carved out of a duty other goods pay (Annex II, ...) in this regime.';
COMMENT ON COLUMN staging.ledger_rules.refundable IS 'True when duty collected above the rule in this regime can be refunded (feeds refund_exposure_usd).';
COMMENT ON TABLE staging.ledger_categories IS 'HS prefixes (and exclusions) of each product category; a line takes the first category in precedence order that claims it, else general.';
COMMENT ON COLUMN staging.ledger_categories.category IS 'Category id from pipelines/ledger/categories.yaml (e.g. autos, civil_aircraft).';
COMMENT ON COLUMN staging.ledger_categories.precedence IS 'Position of the category in the precedence list of categories.yaml (0 first): the lowest that claims a line wins.';
COMMENT ON COLUMN staging.ledger_categories.prefix IS 'HS prefix of 2 to 10 digits without dots, from the category''s prefixes or, when excluded, its exclude list.';
COMMENT ON COLUMN staging.ledger_categories.excluded IS 'True when prefix comes from the exclude list: lines starting with it are not in the category.';
COMMENT ON TABLE staging.ledger_units IS 'Census quantity unit to HTS specific-rate unit conversion factors (pipelines/ledger/units.yaml).';
COMMENT ON COLUMN staging.ledger_units.census_unit IS 'Census quantity unit (UNIT_QY1, e.g. KG, NO, DOZ): field census of pipelines/ledger/units.yaml.';
COMMENT ON COLUMN staging.ledger_units.hts_unit IS 'HTS specific-rate unit as written in rate texts (kg, t, liter, each, doz., ...): field hts of units.yaml.';
COMMENT ON COLUMN staging.ledger_units.factor IS 'How many hts_unit one census_unit holds (KG to t: 0.001; DOZ to each: 12); always > 0.';
-- name: insert
INSERT INTO staging.ledger_instruments SELECT * FROM _ledger_instruments;
INSERT INTO staging.ledger_rules SELECT * FROM _ledger_rules;
INSERT INTO staging.ledger_categories SELECT * FROM _ledger_categories;
INSERT INTO staging.ledger_units SELECT * FROM _ledger_units;
INSERT INTO staging.ledger_provisions SELECT * FROM _ledger_provisions;
