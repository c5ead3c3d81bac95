-- U.S. exports to Japan (Census exports/hs, Schedule B codes) of each purchase commitment's products, by month: value in USD, or quantity converted into the commitment's unit
-- reads: staging.exports_monthly, staging.ledger_units, staging.ledger_commitments
-- A source file has one statement, `actuals`, returning (commitment_id, source, period, actual,
-- unit_errors, error_units) for every month the source has data for the partner, the months of
-- the baseline year included; a month without a matching row is a real zero. A quantity whose
-- Census unit does not convert into the commitment's unit (staging.ledger_units), that is
-- missing, or that is zero beside a positive value, makes the month's actual NULL: a data
-- error, never a zero.
-- name: actuals
WITH commitments AS (
    SELECT commitment_id, metric, unit, products
    FROM staging.ledger_commitments
    WHERE list_contains(sources, 'us_exports')
),
months AS (
    SELECT DISTINCT period FROM staging.exports_monthly WHERE cty_code = $country
),
matched AS (
    SELECT c.commitment_id, e.period, e.all_val, e.unit_qty1,
           -- a shipment with a value but no quantity has an unreported quantity, not zero
           CASE WHEN NOT (e.qty1 = 0 AND e.all_val > 0) THEN e.qty1 * u.factor END AS quantity
    FROM commitments c
    JOIN staging.exports_monthly e
      ON e.cty_code = $country
     AND list_bool_or(list_transform(c.products, lambda p: starts_with(e.hs10, p)))
    LEFT JOIN staging.ledger_units u ON u.census_unit = e.unit_qty1 AND u.hts_unit = c.unit
)
SELECT c.commitment_id, 'us_exports' AS source, m.period,
       CASE c.metric
           WHEN 'value_usd' THEN coalesce(sum(x.all_val), 0)
           WHEN 'quantity' THEN CASE WHEN count(x.period) = count(x.quantity)
                                     THEN round(coalesce(sum(x.quantity), 0), 6) END
       END AS actual,
       CASE WHEN c.metric = 'quantity' THEN count(x.period) - count(x.quantity) ELSE 0 END
           AS unit_errors,
       CASE WHEN c.metric = 'quantity'
            THEN string_agg(DISTINCT coalesce(x.unit_qty1, 'none'), ', '
                                 ORDER BY coalesce(x.unit_qty1, 'none'))
                     FILTER (WHERE x.period IS NOT NULL AND x.quantity IS NULL) END AS error_units
FROM commitments c
CROSS JOIN months m
LEFT JOIN matched x ON x.commitment_id = c.commitment_id AND x.period = m.period
GROUP BY c.commitment_id, c.metric, m.period
