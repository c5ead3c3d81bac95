-- staging.japan_trade_monthly: Japan's trade by month, direction, HS9 and country (the wide file unpivoted), from the best release of each month
-- name: ddl
CREATE TABLE IF NOT EXISTS staging.japan_trade_monthly (
    period DATE NOT NULL,
    direction VARCHAR NOT NULL,
    hs9 VARCHAR NOT NULL,
    hs6 VARCHAR NOT NULL,
    country_code VARCHAR NOT NULL,
    value_jpy_thousand BIGINT NOT NULL,
    quantity1 BIGINT,
    unit1 VARCHAR,
    quantity2 BIGINT,
    unit2 VARCHAR,
    status VARCHAR NOT NULL,
    release VARCHAR NOT NULL,
    vintage TIMESTAMP NOT NULL
);
COMMENT ON TABLE staging.japan_trade_monthly IS 'Japan''s trade statistics by month, direction, 9-digit HS and country, in thousand yen (one row per month: the wide CSV unpivoted; customs offices summed); each month comes from the best release that publishes it: confirmed figures when a release has them, else provisional, from the latest release. Months without trade have no row.';
COMMENT ON COLUMN staging.japan_trade_monthly.period IS 'First day of the statistical month.';
COMMENT ON COLUMN staging.japan_trade_monthly.direction IS 'export (Japan''s exports, FOB, to the final destination) or import (Japan''s imports, CIF, from the country of origin).';
COMMENT ON COLUMN staging.japan_trade_monthly.hs9 IS 'Japan''s 9-digit statistical code (HS6 + 3 national digits).';
COMMENT ON COLUMN staging.japan_trade_monthly.hs6 IS 'The international HS subheading (first 6 digits), the level at which Japan''s and U.S. statistics compare.';
COMMENT ON COLUMN staging.japan_trade_monthly.country_code IS 'Japan Customs'' 3-digit country code (304 United States, 105 China, 108 Hong Kong; names in staging.ledger_japan_countries).';
COMMENT ON COLUMN staging.japan_trade_monthly.value_jpy_thousand IS 'Value in thousand yen (rounded down by Customs): exports FOB, imports CIF.';
COMMENT ON COLUMN staging.japan_trade_monthly.quantity1 IS 'First quantity in unit1 (0 when the line has none).';
COMMENT ON COLUMN staging.japan_trade_monthly.unit1 IS 'Unit of quantity1; NULL when the line has no first unit.';
COMMENT ON COLUMN staging.japan_trade_monthly.quantity2 IS 'Second quantity in unit2.';
COMMENT ON COLUMN staging.japan_trade_monthly.unit2 IS 'Unit of quantity2 (KG, NO, MT, ...); NULL when none.';
COMMENT ON COLUMN staging.japan_trade_monthly.status IS 'provisional (a month''s first publication) or confirmed (Customs'' confirmed figures): which the row''s release gave.';
COMMENT ON COLUMN staging.japan_trade_monthly.release IS 'The release the figures come from (raw.japan_trade.release); every release stays in raw.japan_trade.';
COMMENT ON COLUMN staging.japan_trade_monthly.vintage IS 'The latest fetch of that release (raw.japan_trade.vintage).';
-- name: insert
INSERT INTO staging.japan_trade_monthly
WITH latest AS (
    -- a file fetched again: its latest vintage
    SELECT * FROM raw.japan_trade QUALIFY vintage = max(vintage) OVER (PARTITION BY file)
), long AS (
    SELECT CASE trim(exp_or_imp) WHEN '1' THEN 'export' ELSE 'import' END AS direction,
           trim(year)::INTEGER AS year, m.month::INTEGER AS month,
           trim(trim(hs), '''"') AS hs9, trim(country) AS country_code,
           nullif(trim(unit1), '') AS unit1, nullif(trim(unit2), '') AS unit2,
           coalesce(try_cast(nullif(trim([quantity1_jan, quantity1_feb, quantity1_mar, quantity1_apr, quantity1_may, quantity1_jun, quantity1_jul, quantity1_aug, quantity1_sep, quantity1_oct, quantity1_nov, quantity1_dec][m.month]), '') AS BIGINT), 0) AS quantity1,
           coalesce(try_cast(nullif(trim([quantity2_jan, quantity2_feb, quantity2_mar, quantity2_apr, quantity2_may, quantity2_jun, quantity2_jul, quantity2_aug, quantity2_sep, quantity2_oct, quantity2_nov, quantity2_dec][m.month]), '') AS BIGINT), 0) AS quantity2,
           coalesce(try_cast(nullif(trim([value_jan, value_feb, value_mar, value_apr, value_may, value_jun, value_jul, value_aug, value_sep, value_oct, value_nov, value_dec][m.month]), '') AS BIGINT), 0) AS value,
           CASE WHEN m.month <= confirmed_through THEN 'confirmed' ELSE 'provisional' END
               AS status,
           release, published_through, vintage,
           -- an e-Stat answer leaves the months it does not cover NULL (a CSV writes 0)
           [value_jan, value_feb, value_mar, value_apr, value_may, value_jun, value_jul, value_aug, value_sep, value_oct, value_nov, value_dec][m.month] IS NOT NULL AS served
    FROM latest, range(1, 13) AS m(month)
    WHERE m.month <= published_through
), releases AS (
    SELECT direction, year, month, release, any_value(status) AS status,
           max(published_through) AS published_through, max(vintage) AS vintage
    FROM long WHERE served GROUP BY ALL
), best AS (
    -- confirmed before provisional; the year's confirmed release, then the latest month's
    SELECT direction, year, month, release, status, vintage FROM releases
    QUALIFY row_number() OVER (PARTITION BY direction, year, month
        ORDER BY status = 'confirmed' DESC, ends_with(release, '_confirmed') DESC,
                 published_through DESC, vintage DESC) = 1
)
SELECT make_date(l.year, l.month, 1), l.direction, l.hs9, left(l.hs9, 6), l.country_code,
       sum(l.value), sum(l.quantity1), any_value(l.unit1), sum(l.quantity2),
       any_value(l.unit2), b.status, b.release, b.vintage
FROM long l JOIN best b USING (direction, year, month, release)
GROUP BY l.year, l.month, l.direction, l.hs9, l.country_code, b.status, b.release, b.vintage
HAVING sum(l.value) > 0 OR sum(l.quantity1) > 0 OR sum(l.quantity2) > 0
