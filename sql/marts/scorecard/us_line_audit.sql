-- U.S. promises judged from the line audit: the share of customs value collected at or below the promised rate, the excess duty, the promise's way into the tariff schedule, and whether the law still carries it
-- reads: marts.japan_line_audit, marts.provision_timeline, staging.ledger_rules, staging.ledger_commitments
-- Only numeric columns of the line audit are used (con_val, cal_dut, expected_duty_agreement,
-- expected_duty_statutory, excess_duty_usd, period, category), never its status strings: the
-- expected duties count the days of a month without a promise at the statutory rate, so a
-- promise that starts mid-month (autos, 16 Sep 2025) is judged on its own days only.
-- name: rows
WITH commitments AS (
    SELECT * FROM staging.ledger_commitments WHERE measure = 'us_line_audit'
),
lines AS (
    SELECT q.commitment_id, q.quarter, l.period, l.con_val, l.cal_dut,
           l.expected_duty_agreement, l.expected_duty_statutory, l.excess_duty_usd,
           l.regime_verified,
           greatest($tolerance_usd, $tolerance_rate * l.con_val) AS tolerance
    FROM _scorecard_quarters q
    JOIN commitments c USING (commitment_id)
    JOIN marts.japan_line_audit l
      ON list_contains(c.categories, l.category)
     AND l.period BETWEEN greatest(q.quarter_start, date_trunc('month', c.start_on)) AND q.as_of
    WHERE l.expected_duty_agreement IS NOT NULL AND l.con_val > 0
),
audit AS (
    SELECT commitment_id, quarter, count(*) AS line_months,
           min(period) AS first_month, max(period) AS last_month,
           sum(con_val) AS value_usd,
           coalesce(sum(con_val) FILTER (WHERE cal_dut <= expected_duty_agreement + tolerance),
                    0) / sum(con_val) AS share_at_or_below,
           coalesce(sum(con_val) FILTER (WHERE expected_duty_statutory
                                         > expected_duty_agreement + tolerance), 0)
               / sum(con_val) AS law_above_share,
           sum(excess_duty_usd) AS excess_usd,
           bool_and(regime_verified) AS verified
    FROM lines
    GROUP BY ALL
),
schedule AS (
    -- the promise is in the schedule once every heading of its provision is
    SELECT c.commitment_id, min(p.announced_on) AS announced_on,
           CASE WHEN count(*) = count(p.first_release_date) THEN max(p.first_release_date) END
               AS in_schedule_on,
           string_agg(DISTINCT p.first_release, ', ' ORDER BY p.first_release) AS releases
    FROM commitments c
    JOIN marts.provision_timeline p ON p.provision = c.provision
    GROUP BY ALL
),
law AS (
    -- the law in force on the row's date applies the promised rule to every category
    SELECT q.commitment_id, q.quarter,
           bool_and(l.rule_kind = a.rule_kind AND l.rule_rate IS NOT DISTINCT FROM a.rule_rate)
               AS carries,
           string_agg(printf('%s: law %s (%s) vs promise %s', cat, l.rule, l.regime_id, a.rule),
                      '; ' ORDER BY cat) FILTER (
               WHERE NOT (l.rule_kind = a.rule_kind AND l.rule_rate IS NOT DISTINCT FROM a.rule_rate))
               AS differences
    FROM _scorecard_quarters q
    JOIN commitments c USING (commitment_id)
    CROSS JOIN unnest(c.categories) AS u(cat)
    JOIN staging.ledger_rules l
      ON l.side = 'law' AND l.category = u.cat
     AND q.as_of >= l.valid_from AND (l.valid_to IS NULL OR q.as_of < l.valid_to)
    JOIN staging.ledger_rules a
      ON a.side = 'agreement' AND a.category = u.cat
     AND q.as_of >= a.valid_from AND (a.valid_to IS NULL OR q.as_of < a.valid_to)
    GROUP BY ALL
)
SELECT q.quarter, c.side, c.commitment_id,
       'share of customs value collected at or below the promised rate' AS indicator,
       round(a.share_at_or_below, 10), c.thresholds['on_track_share'], c.unit,
       CASE WHEN a.value_usd IS NULL THEN 'insufficient_data'
            WHEN c.provision IS NOT NULL
                 AND (s.in_schedule_on IS NULL OR s.in_schedule_on > q.as_of) THEN 'not_implemented'
            WHEN l.carries IS FALSE THEN 'reversed'
            WHEN a.share_at_or_below < c.thresholds['on_track_share'] THEN 'behind'
            ELSE 'on_track' END,
       concat_ws('; ',
           CASE WHEN a.value_usd IS NULL
                THEN printf('marts.japan_line_audit has no line with a promise in %s for %s',
                            q.quarter, array_to_string(c.categories, ', '))
                ELSE printf('marts.japan_line_audit %s..%s (%s): %d line-months, $%.1f m, '
                            '%.1f%% at or below the promise, excess duty $%.2f m, law above '
                            'the promise on %.1f%% of the value',
                            strftime(a.first_month, '%Y-%m'), strftime(a.last_month, '%Y-%m'),
                            array_to_string(c.categories, ', '), a.line_months,
                            a.value_usd / 1e6, 100 * a.share_at_or_below,
                            coalesce(a.excess_usd, 0) / 1e6, 100 * a.law_above_share) END,
           CASE WHEN c.provision IS NULL THEN 'no Chapter 99 heading carries this promise'
                WHEN s.in_schedule_on IS NULL OR s.in_schedule_on > q.as_of
                    THEN printf('marts.provision_timeline %s: not in any HTS release by %s',
                                c.provision, strftime(q.as_of, '%Y-%m-%d'))
                ELSE printf('marts.provision_timeline %s: in the schedule from %s (%s), %d days '
                            'after the announcement', c.provision,
                            strftime(s.in_schedule_on, '%Y-%m-%d'), s.releases,
                            datediff('day', s.announced_on, s.in_schedule_on)) END,
           CASE WHEN l.carries IS FALSE
                THEN printf('staging.ledger_rules on %s: %s', strftime(q.as_of, '%Y-%m-%d'),
                            l.differences)
                ELSE printf('staging.ledger_rules on %s: the law carries the promise',
                            strftime(q.as_of, '%Y-%m-%d')) END),
       q.as_of, c.verified AND coalesce(a.verified, true)
FROM _scorecard_quarters q
JOIN commitments c USING (commitment_id)
LEFT JOIN audit a ON a.commitment_id = q.commitment_id AND a.quarter = q.quarter
LEFT JOIN schedule s ON s.commitment_id = q.commitment_id
LEFT JOIN law l ON l.commitment_id = q.commitment_id AND l.quarter = q.quarter
