-- staging.ledger_mineral_groups: the critical-mineral groups of pipelines/ledger/minerals.yaml, one row per group and HS prefix
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.ledger_mineral_groups (
    mineral_group VARCHAR NOT NULL, label VARCHAR NOT NULL, prefix VARCHAR NOT NULL,
    citation VARCHAR NOT NULL, url VARCHAR NOT NULL, usgs_commodity VARCHAR,
    verified BOOLEAN NOT NULL, PRIMARY KEY (mineral_group, prefix)
);
COMMENT ON TABLE staging.ledger_mineral_groups IS 'Critical-mineral groups of marts.critical_minerals_dependence (pipelines/ledger/minerals.yaml), one row per group and HS prefix, with the citation of its scope.';
COMMENT ON COLUMN staging.ledger_mineral_groups.mineral_group IS 'Group id (rare_earth_metals, rare_earth_compounds, permanent_magnets, natural_graphite, artificial_graphite, gallium_germanium_other, lithium_compounds, cobalt, tungsten).';
COMMENT ON COLUMN staging.ledger_mineral_groups.label IS 'What the group holds, in the words of its HS text.';
COMMENT ON COLUMN staging.ledger_mineral_groups.prefix IS 'International HS prefix (2 to 6 digits): selects U.S. HS10 lines and Japan''s HS9 lines alike.';
COMMENT ON COLUMN staging.ledger_mineral_groups.citation IS 'Where the scope comes from (HS heading or subheading; DOMAIN.md section 5).';
COMMENT ON COLUMN staging.ledger_mineral_groups.url IS 'Address of the HS text.';
COMMENT ON COLUMN staging.ledger_mineral_groups.usgs_commodity IS 'The USGS Mineral Commodity Summaries commodity the group compares with (net import reliance, major sources); NULL when none matches.';
COMMENT ON COLUMN staging.ledger_mineral_groups.verified IS 'True when the scope was checked against the HS nomenclature.';
-- name: insert
INSERT INTO staging.ledger_mineral_groups
SELECT mineral_group, label, prefix, citation, url, usgs_commodity, verified FROM _ledger_frame
