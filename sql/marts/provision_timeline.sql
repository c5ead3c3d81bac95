-- marts.provision_timeline: how long each provision took from announcement to law to the tariff schedule
-- group: audit
-- reads: staging.hts_chapter99, raw.hts_releases
-- reads: staging.ledger_instruments, staging.ledger_rules, staging.ledger_categories, staging.ledger_units, staging.ledger_provisions, staging.ledger_category_sectors, staging.ledger_chapter99, staging.ledger_about
-- preview: ORDER BY announced_on
-- name: ddl
CREATE TABLE IF NOT EXISTS marts.provision_timeline (
    provision VARCHAR NOT NULL,
    heading VARCHAR NOT NULL,
    announced_on DATE,
    signed_on DATE,
    published_on DATE,
    legal_effective_on DATE,
    first_release VARCHAR,
    first_release_date DATE,
    deployed_on DATE,
    days_announce_to_law INTEGER,
    days_law_to_schedule INTEGER,
    verified BOOLEAN,
    days_effect_to_schedule INTEGER,
    PRIMARY KEY (provision, heading)
);
COMMENT ON TABLE marts.provision_timeline IS 'Implementation lag of each provision (pipelines/ledger/provisions.yaml) and Chapter 99 heading: announcement, instrument signed and published, legal effective date, the first HTS release whose Chapter 99 carries the heading (found in the schedule data) and CBP deployment.';
COMMENT ON COLUMN marts.provision_timeline.first_release IS 'First loaded HTS release (by year and revision number) whose Chapter 99 carries the heading; NULL when none does.';
COMMENT ON COLUMN marts.provision_timeline.first_release_date IS 'That release''s start date from releaseList (NULL when releaseList is not loaded).';
COMMENT ON COLUMN marts.provision_timeline.deployed_on IS 'Date of the CBP instrument deploying the heading when the ledger records one, else the first release date.';
COMMENT ON COLUMN marts.provision_timeline.days_announce_to_law IS 'published_on - announced_on: days from announcement to the instrument''s publication.';
COMMENT ON COLUMN marts.provision_timeline.days_law_to_schedule IS 'first_release_date - published_on: days from the instrument''s publication to the schedule (negative when the schedule came first).';
COMMENT ON COLUMN marts.provision_timeline.days_effect_to_schedule IS 'first_release_date - legal_effective_on: days from legal effect to the schedule carrying the heading (positive when entries were owed the new rate before the HTS showed it; e.g. 40 days for 9903.02.72, retroactive to 7 Aug 2025).';
COMMENT ON COLUMN marts.provision_timeline.provision IS 'Provision id from pipelines/ledger/provisions.yaml (e.g. japan-general-floor).';
COMMENT ON COLUMN marts.provision_timeline.heading IS 'Chapter 99 heading of the provision, with dots (e.g. 9903.02.73).';
COMMENT ON COLUMN marts.provision_timeline.announced_on IS 'Date the provision was announced (provisions.yaml).';
COMMENT ON COLUMN marts.provision_timeline.signed_on IS 'Date the enacting instrument was signed (instruments.yaml).';
COMMENT ON COLUMN marts.provision_timeline.published_on IS 'Date the enacting instrument was published (instruments.yaml).';
COMMENT ON COLUMN marts.provision_timeline.legal_effective_on IS 'Date the provision took legal effect (provisions.yaml).';
COMMENT ON COLUMN marts.provision_timeline.verified IS 'True when both the provision and its instrument are verified in the ledger.';
-- name: insert
INSERT INTO marts.provision_timeline
WITH carried AS (
    SELECT c.heading, c.release,
           row_number() OVER (PARTITION BY c.heading
                              ORDER BY left(c.release, 4)::INTEGER,
                                       coalesce(try_cast(split_part(c.release, 'Rev', 2)
                                                         AS INTEGER), 0)) AS n
    FROM staging.hts_chapter99 c
    WHERE c.heading IN (SELECT heading FROM staging.ledger_provisions)
),
first AS (
    SELECT c.heading, c.release, r.release_start_date
    FROM carried c LEFT JOIN raw.hts_releases r USING (release)
    WHERE c.n = 1
)
SELECT p.provision, p.heading, p.announced_on, p.signed_on, p.published_on,
       p.legal_effective_on, f.release, f.release_start_date,
       coalesce(p.deployed_on, f.release_start_date),
       datediff('day', p.announced_on, p.published_on),
       datediff('day', p.published_on, f.release_start_date),
       p.verified,
       datediff('day', p.legal_effective_on, f.release_start_date)
FROM staging.ledger_provisions p
LEFT JOIN first f USING (heading)
