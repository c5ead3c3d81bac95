-- Japan's imports from the United States in Japan's own statistics (MOF/Customs, CIF, country of origin) of each purchase commitment's products, by month: value in USD at the month's mean rate, or quantity converted into the commitment's unit
-- reads: staging.japan_trade_monthly, staging.fx_monthly, staging.ledger_japan_units, staging.ledger_commitments
-- The same contract as us_exports.sql, from the other side's books: an independent measure of
-- the same purchases. Japan values imports CIF (freight and insurance included) and books a
-- shipment when it arrives, so its figures run above the U.S. export figures and about a month
-- later (marts.mirror_trade shows the whole flow). Months are those Japan's statistics report
-- imports from the United States ($japan_us), up to the last month with a JPY rate
-- (staging.fx_monthly): a later month waits for its rate. A month within that range without a
-- rate has no dollar value (error unit 'no JPY rate'), never a zero. A quantity is read from
-- Unit2, else Unit1, whichever converts into the commitment's unit (staging.ledger_japan_units);
-- a row where neither converts, or whose quantity is zero beside a positive value, makes the
-- month's actual NULL: a data error, never a zero.
-- name: actuals
WITH commitments AS (
    SELECT commitment_id, metric, unit, products
    FROM staging.ledger_commitments
    WHERE list_contains(sources, 'japan_imports')
),
months AS (
    SELECT DISTINCT t.period, fx.per_usd
    FROM staging.japan_trade_monthly t
    LEFT JOIN staging.fx_monthly fx ON fx.period = t.period AND fx.currency = 'JPY'
    WHERE t.direction = 'import' AND t.country_code = $japan_us
      AND t.period <= (SELECT max(period) FROM staging.fx_monthly WHERE currency = 'JPY')
),
matched AS (
    SELECT c.commitment_id, t.period, t.value_jpy_thousand * 1000.0 AS value_jpy,
           coalesce(t.unit2, t.unit1, 'none') AS units,
           CASE WHEN u2.factor IS NOT NULL THEN t.quantity2 * u2.factor
                WHEN u1.factor IS NOT NULL THEN t.quantity1 * u1.factor END AS converted
    FROM commitments c
    JOIN staging.japan_trade_monthly t
      ON t.direction = 'import' AND t.country_code = $japan_us
     AND list_bool_or(list_transform(c.products, lambda p: starts_with(t.hs9, p)))
    LEFT JOIN staging.ledger_japan_units u2 ON u2.japan_unit = t.unit2 AND u2.unit = c.unit
    LEFT JOIN staging.ledger_japan_units u1 ON u1.japan_unit = t.unit1 AND u1.unit = c.unit
),
checked AS (
    -- a line with a value but no quantity has an unreported quantity, not zero
    SELECT *, CASE WHEN NOT (converted = 0 AND value_jpy > 0) THEN converted END AS quantity
    FROM matched
)
SELECT c.commitment_id, 'japan_imports' AS source, m.period,
       CASE c.metric
           WHEN 'value_usd' THEN round(coalesce(sum(x.value_jpy), 0) / m.per_usd, 2)
           WHEN 'quantity' THEN CASE WHEN count(x.period) = count(x.quantity)
                                     THEN round(coalesce(sum(x.quantity), 0), 6) END
       END AS actual,
       CASE c.metric
           WHEN 'quantity' THEN count(x.period) - count(x.quantity)
           ELSE CASE WHEN m.per_usd IS NULL THEN count(x.period) ELSE 0 END
       END AS unit_errors,
       CASE c.metric
           WHEN 'quantity'
               THEN string_agg(DISTINCT x.units, ', ' ORDER BY x.units)
                        FILTER (WHERE x.period IS NOT NULL AND x.quantity IS NULL)
           ELSE CASE WHEN m.per_usd IS NULL THEN 'no JPY rate' END
       END AS error_units
FROM commitments c
CROSS JOIN months m
LEFT JOIN checked x ON x.commitment_id = c.commitment_id AND x.period = m.period
GROUP BY c.commitment_id, c.metric, m.period, m.per_usd
