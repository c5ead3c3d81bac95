-- Contracts of marts.statutory_rate_daily
-- name: every_day_once
-- severity: error
-- description: The series has every calendar day from its first to its last, with no gap.
SELECT partner AS partition, count(*) || ' days for a span of ' || (max(date) - min(date) + 1) AS value
FROM marts.statutory_rate_daily GROUP BY partner
HAVING count(*) <> max(date) - min(date) + 1
-- name: low_within_high
-- severity: error
-- description: The statutory rate at the low bound of every range never exceeds the rate at the high bound.
SELECT strftime(date, '%Y-%m-%d') AS partition, printf('%.4f > %.4f', statutory_low_rate, statutory_rate) AS value
FROM marts.statutory_rate_daily WHERE statutory_low_rate > statutory_rate + 1e-9
