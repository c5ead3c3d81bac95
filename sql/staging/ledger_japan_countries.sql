-- staging.ledger_japan_countries: Japan Customs' country codes of pipelines/ledger/mirror.yaml
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.ledger_japan_countries (
    country_code VARCHAR PRIMARY KEY, country_name VARCHAR NOT NULL, verified BOOLEAN NOT NULL
);
COMMENT ON TABLE staging.ledger_japan_countries IS 'Japan Customs'' country codes known to the ledger (pipelines/ledger/mirror.yaml); a file carrying another code is refused.';
COMMENT ON COLUMN staging.ledger_japan_countries.country_code IS 'Japan Customs'' 3-digit country code (first digit: 1 Asia, 2 Europe, 3 North America, 4 Latin America, 5 Africa, 6 Oceania).';
COMMENT ON COLUMN staging.ledger_japan_countries.country_name IS 'Country name (upper case, as Census writes its names).';
COMMENT ON COLUMN staging.ledger_japan_countries.verified IS 'True when the code was seen with this country in Japan''s published files or code list.';
-- name: insert
INSERT INTO staging.ledger_japan_countries
SELECT country_code, country_name, verified FROM _ledger_frame
