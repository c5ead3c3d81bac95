-- Contracts of marts.effective_rates_monthly
-- name: japan_moves_have_a_ledger_event
-- severity: warning
-- description: A month-over-month move of Japan's effective rate above 5 points happens only in a month (or the month after one) where the ledger changes a regime.
WITH japan AS (
    SELECT period, effective_rate,
           effective_rate - lag(effective_rate) OVER (ORDER BY period) AS move
    FROM marts.effective_rates_monthly WHERE cty_code = '5880' AND sector = 'all'
),
events AS (
    SELECT DISTINCT date_trunc('month', valid_from) AS month FROM staging.ledger_rules
    WHERE side = 'law'
)
SELECT strftime(period, '%Y-%m') AS partition,
       printf('%+.2f points', 100 * move) AS value
FROM japan
WHERE abs(move) > 0.05
  AND NOT EXISTS (SELECT 1 FROM events e
                  WHERE e.month IN (period, period - INTERVAL 1 MONTH))
