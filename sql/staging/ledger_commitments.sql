-- staging.ledger_commitments and staging.ledger_evidence: both sides' commitments and the dated evidence behind them (pipelines/ledger/commitments.yaml, evidence.yaml), validated
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.ledger_commitments (
    commitment_id VARCHAR PRIMARY KEY,
    side VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    description VARCHAR,
    measure VARCHAR NOT NULL,
    metric VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    sources VARCHAR[],
    products VARCHAR[],
    categories VARCHAR[],
    provision VARCHAR,
    start_on DATE NOT NULL,
    target_amount DOUBLE,
    target_per VARCHAR,
    target_deadline DATE,
    target_basis VARCHAR,
    target_over_baseline BOOLEAN NOT NULL,
    monitored BOOLEAN NOT NULL,
    words VARCHAR,
    baseline_definition VARCHAR,
    baseline_start DATE,
    baseline_stated_amount DOUBLE,
    thresholds MAP(VARCHAR, DOUBLE),
    instrument_id VARCHAR,
    citation VARCHAR NOT NULL,
    url VARCHAR,
    verified BOOLEAN NOT NULL,
    note VARCHAR
);
CREATE TABLE IF NOT EXISTS staging.ledger_evidence (
    evidence_id VARCHAR PRIMARY KEY,
    commitment_id VARCHAR NOT NULL,
    event_date DATE NOT NULL,
    date_precision VARCHAR NOT NULL,
    event VARCHAR,
    stage VARCHAR NOT NULL,
    tranche VARCHAR,
    scope VARCHAR,
    amount_usd DOUBLE,
    amount_qualifier VARCHAR,
    projects VARCHAR[],
    sponsors VARCHAR[],
    locations VARCHAR[],
    source_url VARCHAR NOT NULL,
    quote VARCHAR,
    verified BOOLEAN NOT NULL,
    ordinal INTEGER NOT NULL
);
COMMENT ON TABLE staging.ledger_commitments IS 'Both sides'' commitments under the agreement (pipelines/ledger/commitments.yaml): what is measured, against which target, baseline and thresholds, with the citation and a verified flag. One row per commitment.';
COMMENT ON COLUMN staging.ledger_commitments.commitment_id IS 'Commitment id from commitments.yaml (e.g. jp-rice, us-general-15).';
COMMENT ON COLUMN staging.ledger_commitments.side IS 'Who promised: japan or us.';
COMMENT ON COLUMN staging.ledger_commitments.title IS 'Short title of the commitment.';
COMMENT ON COLUMN staging.ledger_commitments.description IS 'The commitment in words, as announced.';
COMMENT ON COLUMN staging.ledger_commitments.measure IS 'How the scorecard judges it: purchases, investment, us_line_audit, ledger_only (one SQL file sql/marts/scorecard/<measure>.sql each).';
COMMENT ON COLUMN staging.ledger_commitments.metric IS 'What is counted: value_usd, quantity, value_share or none.';
COMMENT ON COLUMN staging.ledger_commitments.unit IS 'Unit of the metric: USD, t (metric tons), each (units), share or none; quantities are converted from Census units with staging.ledger_units.';
COMMENT ON COLUMN staging.ledger_commitments.sources IS 'Where purchases are measured (us_exports = Census exports/hs to Japan); one SQL file sql/marts/commitment_sources/<source>.sql each; empty for other measures.';
COMMENT ON COLUMN staging.ledger_commitments.products IS 'HS / Schedule B prefixes (2 to 10 digits) of the purchases, matched on the code''s own digits.';
COMMENT ON COLUMN staging.ledger_commitments.categories IS 'Product categories of the line audit (categories.yaml) a U.S. promise covers.';
COMMENT ON COLUMN staging.ledger_commitments.provision IS 'Provision (provisions.yaml) whose first HTS release shows when the promise reached the schedule; NULL when it has no Chapter 99 heading.';
COMMENT ON COLUMN staging.ledger_commitments.start_on IS 'First day the commitment is measured from.';
COMMENT ON COLUMN staging.ledger_commitments.target_amount IS 'Target in the commitment''s unit: per year or in total (target_per); a baseline factor is applied to the stated baseline here. NULL when the commitment has no numeric target.';
COMMENT ON COLUMN staging.ledger_commitments.target_per IS 'year (the amount every 12 months) or total (the amount by target_deadline).';
COMMENT ON COLUMN staging.ledger_commitments.target_deadline IS 'Date by which a total target is due; NULL for annual targets and for totals without an agreed date (counted, never due: pending).';
COMMENT ON COLUMN staging.ledger_commitments.target_over_baseline IS 'True when the annual amount is incremental: on top of the same months of the baseline year (e.g. $7 bn a year of incremental energy purchases).';
COMMENT ON COLUMN staging.ledger_commitments.monitored IS 'True when no agreed numeric target exists (the critical-minerals framework, the quarterly review, a figure no primary text gives): the scorecard shows the indicator and its trend with status monitored, never a verdict.';
COMMENT ON COLUMN staging.ledger_commitments.words IS 'The words of the commitment, quoted from its citation; NULL when not quoted.';
COMMENT ON COLUMN staging.ledger_commitments.target_basis IS 'How target_amount derives from the stated baseline (e.g. 1.75 x the stated baseline 346,000); NULL when the amount is given.';
COMMENT ON COLUMN staging.ledger_commitments.baseline_definition IS 'What the baseline is, in words; NULL when none.';
COMMENT ON COLUMN staging.ledger_commitments.baseline_start IS 'First day of the 12 baseline months: the baseline of a month is the same calendar month in that window.';
COMMENT ON COLUMN staging.ledger_commitments.baseline_stated_amount IS 'Baseline figure the commitment names itself (e.g. 346,000 t of rice), in its unit; NULL when none.';
COMMENT ON COLUMN staging.ledger_commitments.thresholds IS 'Named thresholds deciding the status (docs/SCORECARD.md): behind_below_pace (pace ratio), funding_days (days to fund a selected tranche, from the memorandum), kept_share (share of customs value that must be at or below the cap, collected and by law), window_months (months of the minerals indicator).';
COMMENT ON COLUMN staging.ledger_commitments.instrument_id IS 'Legal instrument carrying the commitment (staging.ledger_instruments.id); NULL when none.';
COMMENT ON COLUMN staging.ledger_commitments.citation IS 'Where the commitment and its figures are written.';
COMMENT ON COLUMN staging.ledger_commitments.url IS 'Address of the cited text.';
COMMENT ON COLUMN staging.ledger_commitments.verified IS 'False while the figures rest on news reports or summaries rather than an official text.';
COMMENT ON COLUMN staging.ledger_commitments.note IS 'Caveats of the measure (what it covers, assumed dates); NULL when none.';
COMMENT ON TABLE staging.ledger_evidence IS 'Dated evidence for what trade data cannot measure (pipelines/ledger/evidence.yaml): investment pledges, memoranda, candidate lists, tranches selected and funded, and events of other commitments, with amounts and sources. One row per entry.';
COMMENT ON COLUMN staging.ledger_evidence.evidence_id IS 'Entry id from evidence.yaml (e.g. ev-2026-02-17-t1-total).';
COMMENT ON COLUMN staging.ledger_evidence.commitment_id IS 'Commitment the entry is evidence for (staging.ledger_commitments).';
COMMENT ON COLUMN staging.ledger_evidence.event_date IS 'Date of the event (the first of the month when date_precision is month).';
COMMENT ON COLUMN staging.ledger_evidence.date_precision IS 'day, or month when the source gives the month only.';
COMMENT ON COLUMN staging.ledger_evidence.event IS 'The event in words, as the source reports it.';
COMMENT ON COLUMN staging.ledger_evidence.stage IS 'Investment: pledge, mou, statement, candidate, selected, funded; other commitments: announced, in_progress, implemented, withdrawn.';
COMMENT ON COLUMN staging.ledger_evidence.tranche IS 'Investment tranche (or candidate list) the entry belongs to, e.g. tranche-1; NULL for pledges, memoranda and statements.';
COMMENT ON COLUMN staging.ledger_evidence.scope IS 'total (a tranche''s or pledge''s total) or project (one project of a tranche); totals are never added to their own parts. NULL when the entry has no amount.';
COMMENT ON COLUMN staging.ledger_evidence.amount_usd IS 'Amount of the event, USD; NULL when none was given.';
COMMENT ON COLUMN staging.ledger_evidence.amount_qualifier IS 'How the source states the amount (up to, valued at, total pledge, ...).';
COMMENT ON COLUMN staging.ledger_evidence.projects IS 'Projects named by the entry.';
COMMENT ON COLUMN staging.ledger_evidence.sponsors IS 'Sponsors or operators named by the entry.';
COMMENT ON COLUMN staging.ledger_evidence.locations IS 'Locations named by the entry.';
COMMENT ON COLUMN staging.ledger_evidence.source_url IS 'Address of the source.';
COMMENT ON COLUMN staging.ledger_evidence.quote IS 'The source''s words the entry rests on.';
COMMENT ON COLUMN staging.ledger_evidence.verified IS 'False for news sources until an official text is cited.';
COMMENT ON COLUMN staging.ledger_evidence.ordinal IS 'Position of the entry in evidence.yaml (entries are in date order).';
-- name: insert
INSERT INTO staging.ledger_commitments
SELECT commitment_id, side, title, description, measure, metric, unit, sources, products,
       categories, provision, start_on, target_amount, target_per, target_deadline,
       target_basis, target_over_baseline, monitored, words, baseline_definition,
       baseline_start, baseline_stated_amount,
       map_from_entries(thresholds), instrument_id, citation, url, verified, note
FROM _ledger_commitments;
INSERT INTO staging.ledger_evidence
SELECT evidence_id, commitment_id, event_date, date_precision, event, stage, tranche, scope,
       amount_usd, amount_qualifier, projects, sponsors, locations, source_url, quote,
       verified, ordinal
FROM _ledger_evidence;
