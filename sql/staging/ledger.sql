-- staging.ledger_*: the validated ledger (pipelines/ledger/*.yaml) as tables, so every audit figure can be traced to its rule
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.ledger_instruments (
    id VARCHAR PRIMARY KEY, title VARCHAR, kind VARCHAR, authority VARCHAR,
    signed_on DATE, published_on DATE, effective_on DATE, ended_on DATE,
    fr_doc VARCHAR, number BIGINT, citation VARCHAR, csms VARCHAR[], voided_by VARCHAR,
    url VARCHAR, note VARCHAR, verified BOOLEAN
);
CREATE TABLE IF NOT EXISTS staging.ledger_about (as_of DATE NOT NULL);
COMMENT ON TABLE staging.ledger_about IS 'One row about the ledger itself (pipelines/ledger/instruments.yaml).';
COMMENT ON COLUMN staging.ledger_about.as_of IS 'The day the ledger''s facts (instruments, regimes, commitments, evidence) were last checked against their sources; marts.line_rates ends on it.';
CREATE TABLE IF NOT EXISTS staging.ledger_rules (
    side VARCHAR NOT NULL, regime_id VARCHAR NOT NULL, valid_from DATE NOT NULL, valid_to DATE,
    label VARCHAR, category VARCHAR NOT NULL, rule VARCHAR NOT NULL, rule_kind VARCHAR NOT NULL,
    rule_rate DOUBLE, as_filed VARCHAR, filed_kind VARCHAR, filed_rate DOUBLE, heading VARCHAR,
    instrument_id VARCHAR, authority VARCHAR, exempt BOOLEAN, refundable BOOLEAN,
    verified BOOLEAN, low_kind VARCHAR, low_rate DOUBLE, low_heading VARCHAR,
    PRIMARY KEY (side, regime_id, category)
);
CREATE TABLE IF NOT EXISTS staging.ledger_categories (
    category VARCHAR NOT NULL, precedence INTEGER NOT NULL, prefix VARCHAR NOT NULL,
    excluded BOOLEAN NOT NULL, valid_from DATE, valid_to DATE
);
CREATE TABLE IF NOT EXISTS staging.ledger_category_sectors (
    category VARCHAR PRIMARY KEY, label VARCHAR, sector VARCHAR NOT NULL, valid_from DATE,
    valid_to DATE, coverage VARCHAR, verified BOOLEAN
);
CREATE TABLE IF NOT EXISTS staging.ledger_chapter99 (
    entry INTEGER NOT NULL, pattern VARCHAR NOT NULL, heading_from VARCHAR NOT NULL,
    heading_to VARCHAR NOT NULL, is_prefix BOOLEAN NOT NULL, status VARCHAR NOT NULL,
    modelled_by VARCHAR, applies_to_japan BOOLEAN, reason VARCHAR, citation VARCHAR,
    url VARCHAR, verified BOOLEAN, PRIMARY KEY (entry, pattern)
);
COMMENT ON TABLE staging.ledger_category_sectors IS 'The published mapping from the audit''s product categories (categories.yaml, plus general) to the report sectors of sectors.yaml (plus other), with each category''s dates, coverage and verified flag.';
COMMENT ON COLUMN staging.ledger_category_sectors.category IS 'Category id of categories.yaml, or general (everything no product list claims).';
COMMENT ON COLUMN staging.ledger_category_sectors.label IS 'What the category holds (categories.yaml label).';
COMMENT ON COLUMN staging.ledger_category_sectors.sector IS 'Report sector of marts.effective_rates_monthly the category is shown in (sectors.yaml id, or other).';
COMMENT ON COLUMN staging.ledger_category_sectors.valid_from IS 'First entry date the category''s product list is in force; NULL when always.';
COMMENT ON COLUMN staging.ledger_category_sectors.valid_to IS 'Entry date the list stops being in force (exclusive); NULL while in force.';
COMMENT ON COLUMN staging.ledger_category_sectors.coverage IS 'exact (the instrument''s own list or heading definition), approximate (a stand-in by HS prefix), none (general).';
COMMENT ON COLUMN staging.ledger_category_sectors.verified IS 'True when the category''s list was checked against the instrument.';
COMMENT ON TABLE staging.ledger_chapter99 IS 'The coverage contract of the law (pipelines/ledger/chapter99.yaml): heading patterns of chapter 99 with their status - modelled (by the ledger rules named in modelled_by), not_applicable (cannot change the duty on products of Japan) or not_modelled (known gap, with the reason).';
COMMENT ON COLUMN staging.ledger_chapter99.entry IS 'Position of the entry in chapter99.yaml (0 first): the first entry that matches a heading decides its status.';
COMMENT ON COLUMN staging.ledger_chapter99.pattern IS 'The pattern as written: a heading (9903.02.73), a range (9903.01.43-9903.01.52) or a prefix (9902, 9903.88).';
COMMENT ON COLUMN staging.ledger_chapter99.heading_from IS 'First heading of the pattern (the prefix itself for a prefix).';
COMMENT ON COLUMN staging.ledger_chapter99.heading_to IS 'Last heading of a range (equal to heading_from otherwise).';
COMMENT ON COLUMN staging.ledger_chapter99.is_prefix IS 'True when the pattern is a prefix (shorter than a 10-character heading): it matches every heading that starts with it.';
COMMENT ON COLUMN staging.ledger_chapter99.status IS 'modelled, not_applicable or not_modelled.';
COMMENT ON COLUMN staging.ledger_chapter99.modelled_by IS 'Chapter 99 headings of the ledger rules that model the entry (comma-separated); NULL unless modelled.';
COMMENT ON COLUMN staging.ledger_chapter99.applies_to_japan IS 'True when the heading can apply to products of Japan (named in it or in its notes); NULL when the entry does not say.';
COMMENT ON COLUMN staging.ledger_chapter99.reason IS 'Why the headings have this status, in words.';
COMMENT ON COLUMN staging.ledger_chapter99.citation IS 'The instrument or HTS note behind the status.';
COMMENT ON COLUMN staging.ledger_chapter99.url IS 'Address of the cited text.';
COMMENT ON COLUMN staging.ledger_chapter99.verified IS 'True when the status was checked against the cited instrument.';
COMMENT ON COLUMN staging.ledger_rules.low_kind IS 'For a range rule, the parse of its low bound (m, const, add, floor); NULL otherwise (the rule is exact).';
COMMENT ON COLUMN staging.ledger_rules.low_rate IS 'The <rate> of the low bound of a range rule; NULL otherwise.';
COMMENT ON COLUMN staging.ledger_rules.low_heading IS 'Chapter 99 heading that carries the low bound of a range rule (e.g. in-quota 9903.81.25); NULL otherwise.';
COMMENT ON COLUMN staging.ledger_categories.valid_from IS 'First entry date the category''s list is in force; NULL when always.';
COMMENT ON COLUMN staging.ledger_categories.valid_to IS 'Entry date the list stops being in force (exclusive); NULL while in force.';
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
COMMENT ON COLUMN staging.ledger_instruments.csms IS 'CBP Cargo Systems Messaging Service messages (8-digit numbers) that put the instrument into practice; empty when none is recorded.';
COMMENT ON COLUMN staging.ledger_instruments.voided_by IS 'The court decision (an instrument id) that voided this instrument''s authority, from that decision''s effective_on; NULL when it stands.';
COMMENT ON COLUMN staging.ledger_instruments.citation IS 'Published citation (e.g. 90 FR 14705, or the HTS for column 1); NULL when only fr_doc is known.';
COMMENT ON COLUMN staging.ledger_instruments.url IS 'Address of the instrument''s text (federalregister.gov, CBP, White House).';
COMMENT ON COLUMN staging.ledger_instruments.note IS 'Free-text note of the ledger on scope, dates or caveats; NULL when none.';
COMMENT ON COLUMN staging.ledger_instruments.verified IS 'True only when the document number and dates were confirmed against the Federal Register or the sources of DOMAIN.md.';
COMMENT ON TABLE staging.ledger_rules IS 'One row per side (law = what U.S. law required, agreement = what Japan was promised), regime (entry dates [valid_from, valid_to)) and product category: the rule giving the all-in rate from the column-1 rate m.';
COMMENT ON COLUMN staging.ledger_rules.rule IS 'm | <rate> | m + <rate> | max(<rate>, m) | range(<rule>, <rule>) | none (no promise); rates are decimals. Rules a regime leaves to an inherited category are filled in.';
COMMENT ON COLUMN staging.ledger_rules.as_filed IS 'What entries were filed at when the law was changed retroactively (stacking period: m + 0.15).';
COMMENT ON COLUMN staging.ledger_rules.verified IS 'False when the rule or its instrument rests on an uncertain fact (DOMAIN.md marks them).';
COMMENT ON COLUMN staging.ledger_rules.side IS 'law (pipelines/ledger/regimes_japan.yaml: what U.S. law required) or agreement (pipelines/ledger/agreement_japan.yaml: what Japan was promised).';
COMMENT ON COLUMN staging.ledger_rules.regime_id IS 'Regime id from the side''s YAML file (e.g. law-2025-232-autos, deal-none).';
COMMENT ON COLUMN staging.ledger_rules.valid_from IS 'First entry date of the regime (YAML from), inclusive.';
COMMENT ON COLUMN staging.ledger_rules.valid_to IS 'Entry date the regime ends (YAML to), exclusive; NULL for the open-ended last regime.';
COMMENT ON COLUMN staging.ledger_rules.label IS 'Description of the regime (YAML label).';
COMMENT ON COLUMN staging.ledger_rules.category IS 'Product category the rule applies to: an id of pipelines/ledger/categories.yaml, or general.';
COMMENT ON COLUMN staging.ledger_rules.rule_kind IS 'Parse of rule (of its high bound for a range): m, const (<rate>), add (m + <rate>), floor (max(<rate>, m)) or none; evaluated by the apply_rule macro.';
COMMENT ON COLUMN staging.ledger_rules.rule_rate IS 'The <rate> of rule as a decimal (0.15 = 15 %); NULL for kinds m and none.';
COMMENT ON COLUMN staging.ledger_rules.filed_kind IS 'Parse of as_filed (m, const, add or floor); NULL when the rule has no as_filed.';
COMMENT ON COLUMN staging.ledger_rules.filed_rate IS 'The <rate> of as_filed as a decimal; NULL when as_filed is absent or has no rate.';
COMMENT ON COLUMN staging.ledger_rules.heading IS 'Chapter 99 heading that carries the rule, with dots (e.g. 9903.94.01); NULL when column 1 applies as is.';
COMMENT ON COLUMN staging.ledger_rules.instrument_id IS 'Instrument that made the rule (staging.ledger_instruments.id; none for column 1).';
COMMENT ON COLUMN staging.ledger_rules.authority IS 'Legal authority of that instrument (ieepa, section_232, section_122, section_301, mfn).';
COMMENT ON COLUMN staging.ledger_rules.exempt IS 'True when the category is carved out of a duty other goods pay (Annex II, ...) in this regime.';
COMMENT ON COLUMN staging.ledger_rules.refundable IS 'True when the duty the rule adds to column 1 rests on an instrument a court voided (every IEEPA duty from 5 Apr 2025 to 23 Feb 2026, after Learning Resources v. Trump): refundable. Never a Section 232 rule or column 1. Feeds refundable_rate (marts.line_rates) and refundable_duty_usd (marts.japan_line_audit).';
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
INSERT INTO staging.ledger_about SELECT * FROM _ledger_about;
INSERT INTO staging.ledger_rules SELECT * FROM _ledger_rules;
INSERT INTO staging.ledger_categories SELECT * FROM _ledger_categories;
INSERT INTO staging.ledger_units SELECT * FROM _ledger_units;
INSERT INTO staging.ledger_provisions SELECT * FROM _ledger_provisions;
INSERT INTO staging.ledger_category_sectors SELECT * FROM _ledger_category_sectors;
INSERT INTO staging.ledger_chapter99 SELECT * FROM _ledger_chapter99;
-- name: line_categories
-- each (law regime, hs10) of _category_wanted(law_regime, valid_from, hs10) in its product
-- category: the first category in precedence order whose list is in force when the regime
-- starts (lists change only on regime boundaries) and claims the line, else general
-- (a list entry claims a line when the line starts with its prefix: the line's own prefixes of
-- every length the lists use are joined on equality, a hash join instead of comparing every
-- line with every prefix)
CREATE OR REPLACE TEMP TABLE _line_categories AS
WITH prefixes AS (
    SELECT DISTINCT w.law_regime, w.valid_from, w.hs10, left(w.hs10, n.len) AS prefix
    FROM _category_wanted w
    CROSS JOIN (SELECT DISTINCT length(prefix) AS len FROM staging.ledger_categories) n
),
excluded AS (
    SELECT DISTINCT w.hs10, x.category
    FROM prefixes w JOIN staging.ledger_categories x ON x.prefix = w.prefix AND x.excluded
),
claimed AS (
    SELECT w.law_regime, w.hs10, p.category
    FROM prefixes w
    JOIN staging.ledger_categories p
      ON p.prefix = w.prefix AND NOT p.excluded
     AND (p.valid_from IS NULL OR p.valid_from <= w.valid_from)
     AND (p.valid_to IS NULL OR w.valid_from < p.valid_to)
    WHERE NOT EXISTS (SELECT 1 FROM excluded x WHERE x.category = p.category
                                                 AND x.hs10 = w.hs10)
    QUALIFY row_number() OVER (PARTITION BY w.law_regime, w.hs10 ORDER BY p.precedence) = 1
)
SELECT w.law_regime, w.hs10, coalesce(c.category, 'general') AS category
FROM _category_wanted w LEFT JOIN claimed c USING (law_regime, hs10)
