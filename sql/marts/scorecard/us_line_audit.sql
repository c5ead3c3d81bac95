-- U.S. tariff promises judged as caps from the line audit: kept when the duty collected and the duty the law required are at or below the promise on the kept share of the customs value, late when only filings the law later lowered retroactively were above it, broken otherwise; with the promise's legal basis on the row's date
-- reads: marts.japan_line_audit, marts.provision_timeline, staging.ledger_rules, staging.ledger_instruments, staging.ledger_commitments
-- Only numeric columns of the line audit are used (con_val, cal_dut, expected_duty_agreement,
-- expected_duty_statutory, stacking_overpayment_usd, period, category), never its status
-- strings: the expected duties count the days of a month without a promise at the statutory
-- rate, so a promise that starts mid-month (autos, 16 Sep 2025) is judged on its own days only.
-- name: rows
WITH commitments AS (
    SELECT *, thresholds['kept_share'] AS kept_share
    FROM staging.ledger_commitments WHERE measure = 'us_line_audit'
),
lines AS (
    SELECT q.commitment_id, q.quarter, l.period, l.con_val, l.cal_dut,
           l.expected_duty_agreement AS cap, l.expected_duty_statutory AS law,
           l.stacking_overpayment_usd AS overpaid, l.regime_verified,
           greatest($tolerance_usd, $tolerance_rate * l.con_val) AS tolerance
    FROM _scorecard_quarters q
    JOIN commitments c USING (commitment_id)
    JOIN marts.japan_line_audit l
      ON list_contains(c.categories, l.category)
     AND l.period BETWEEN greatest(q.quarter_start, date_trunc('month', c.start_on)) AND q.as_of
    WHERE l.expected_duty_agreement IS NOT NULL AND l.con_val > 0
      AND l.status <> 'insufficient_data'
),
audit AS (
    SELECT commitment_id, quarter, count(*) AS line_months,
           min(period) AS first_month, max(period) AS last_month,
           sum(con_val) AS value_usd,
           sum(cal_dut) / sum(con_val) AS collected_rate,
           sum(cap) / sum(con_val) AS cap_rate,
           sum(law) / sum(con_val) AS law_rate,
           coalesce(sum(con_val) FILTER (WHERE cal_dut <= cap + tolerance), 0) / sum(con_val)
               AS collected_share,
           coalesce(sum(con_val) FILTER (WHERE law <= cap + tolerance), 0) / sum(con_val)
               AS law_share,
           -- collected at or below the cap once the filings the law lowered retroactively are
           -- taken off (the stacking overpayment, refundable)
           coalesce(sum(con_val) FILTER (WHERE cal_dut - coalesce(overpaid, 0)
                                               <= cap + tolerance), 0) / sum(con_val)
               AS refunded_share,
           sum(greatest(0, cal_dut - cap)) AS above_cap_usd,
           bool_and(regime_verified) AS verified
    FROM lines
    GROUP BY ALL
),
judged AS (
    SELECT a.*, c.kept_share,
           CASE WHEN a.law_share < c.kept_share THEN 'broken'
                WHEN a.collected_share >= c.kept_share THEN 'kept'
                WHEN a.refunded_share >= c.kept_share THEN 'late'
                ELSE 'broken' END AS status
    FROM audit a JOIN commitments c USING (commitment_id)
),
schedule AS (
    -- the promise is in the schedule once every heading of its provision is
    SELECT c.commitment_id, min(p.announced_on) AS announced_on,
           CASE WHEN count(*) = count(p.first_release_date) THEN max(p.first_release_date) END
               AS in_schedule_on
    FROM commitments c
    JOIN marts.provision_timeline p ON p.provision = c.provision
    GROUP BY ALL
),
instruments AS (
    -- a short name for each instrument: EO 14345, Proclamation 11020, else its title
    SELECT i.*,
           coalesce(CASE WHEN i.kind = 'executive_order' AND i.number IS NOT NULL
                         THEN 'EO ' || i.number
                         WHEN i.kind = 'proclamation' AND i.number IS NOT NULL
                         THEN 'Proclamation ' || i.number END,
                    split_part(i.title, ' (', 1)) AS short_name,
           split_part(r.title, ' (', 1) AS ruling, r.effective_on AS voided_on
    FROM staging.ledger_instruments i
    LEFT JOIN staging.ledger_instruments r ON r.id = i.voided_by
),
per_category AS (
    -- the promise's instrument on the row's date, and what the law applies to each category
    SELECT q.commitment_id, q.quarter,
           CASE WHEN pi.voided_on IS NOT NULL AND q.as_of >= pi.voided_on
                    THEN printf('voided: %s (%s) was voided by %s from %s; the law applies %s '
                                '(%s) instead', pi.short_name, upper(pi.authority), pi.ruling,
                                strftime(pi.voided_on, '%Y-%m-%d'), li.short_name, l.rule)
                WHEN a.instrument_id = l.instrument_id
                     OR (a.rule_kind = l.rule_kind AND a.rule_rate IS NOT DISTINCT FROM l.rule_rate)
                    THEN printf('in force: %s (%s)', pi.short_name,
                                coalesce(pi.citation, pi.fr_doc))
                ELSE printf('replaced: the law applies %s (%s%s) where the promise is %s',
                            li.short_name, l.rule,
                            CASE WHEN l.heading IS NOT NULL THEN ', ' || l.heading ELSE '' END,
                            a.rule)
           END AS basis,
           NOT starts_with(basis, 'in force') AS moved
    FROM _scorecard_quarters q
    JOIN commitments c USING (commitment_id)
    CROSS JOIN unnest(c.categories) AS u(cat)
    JOIN staging.ledger_rules l
      ON l.side = 'law' AND l.category = u.cat
     AND q.as_of >= l.valid_from AND (l.valid_to IS NULL OR q.as_of < l.valid_to)
    JOIN staging.ledger_rules a
      ON a.side = 'agreement' AND a.category = u.cat
     AND q.as_of >= a.valid_from AND (a.valid_to IS NULL OR q.as_of < a.valid_to)
    JOIN instruments pi ON pi.id = a.instrument_id
    JOIN instruments li ON li.id = l.instrument_id
    WHERE a.rule_kind <> 'none'
),
basis AS (
    SELECT commitment_id, quarter,
           string_agg(DISTINCT basis, '; ' ORDER BY basis) AS legal_basis, bool_or(moved) AS moved
    FROM per_category
    GROUP BY ALL
)
SELECT q.quarter, c.side, c.commitment_id,
       'share of customs value at or below the promised cap, collected and by law' AS indicator,
       round(CASE j.status WHEN 'late' THEN least(j.law_share, j.refunded_share)
                           ELSE least(j.law_share, j.collected_share) END, 10),
       c.kept_share, 'share',
       coalesce(j.status, 'not_measurable'),
       CASE WHEN j.status IS NULL
            THEN printf('no imports of %s with a promise in %s',
                        array_to_string(c.categories, ', '), q.quarter)
            ELSE concat(
                printf('%.1f%% of the customs value at or below its line''s cap, collected and '
                       'by law (kept from %.0f%%): collected %.1f%% against a cap of %.1f%% on '
                       'average, the law %.1f%%',
                       100 * CASE j.status WHEN 'late' THEN least(j.law_share, j.refunded_share)
                                           ELSE least(j.law_share, j.collected_share) END,
                       100 * j.kept_share, 100 * j.collected_rate, 100 * j.cap_rate,
                       100 * j.law_rate),
                CASE WHEN j.law_share < j.kept_share
                     THEN printf('; the law itself exceeds the cap on %.1f%% of the value',
                                 100 * (1 - j.law_share)) END,
                CASE WHEN j.status = 'late'
                     THEN printf('; collected above the cap on %.1f%% of the value only by '
                                 'filings the law lowered retroactively (refundable)',
                                 100 * (1 - j.collected_share)) END,
                CASE WHEN s.in_schedule_on > q.quarter_start
                          AND s.in_schedule_on > date_trunc('month', c.start_on)
                     THEN printf('; the promise reached the tariff schedule on %s',
                                 strftime(s.in_schedule_on, '%Y-%m-%d'))
                     WHEN c.provision IS NOT NULL AND s.in_schedule_on IS NULL
                     THEN '; the promise is in no loaded HTS release' END)
       END AS judged_on,
       b.legal_basis || CASE WHEN b.moved AND j.status IS NOT NULL
                             THEN printf('; the law stayed at or below the promise on %.1f%% '
                                         'of the value', 100 * j.law_share)
                             ELSE '' END AS legal_basis,
       CASE WHEN j.status IS NULL
            THEN printf('marts.japan_line_audit has no line with a promise in %s for %s',
                        q.quarter, array_to_string(c.categories, ', '))
            ELSE printf('marts.japan_line_audit %s..%s (%s): %d line-months, $%.1f m of customs '
                        'value, $%.2f m collected above the cap%s',
                        strftime(j.first_month, '%Y-%m'), strftime(j.last_month, '%Y-%m'),
                        array_to_string(c.categories, ', '), j.line_months, j.value_usd / 1e6,
                        j.above_cap_usd / 1e6,
                        CASE WHEN c.provision IS NULL THEN ''
                             WHEN s.in_schedule_on IS NULL
                             THEN printf('; marts.provision_timeline %s: in no loaded release',
                                         c.provision)
                             ELSE printf('; marts.provision_timeline %s: in the schedule from '
                                         '%s, %d days after the announcement', c.provision,
                                         strftime(s.in_schedule_on, '%Y-%m-%d'),
                                         datediff('day', s.announced_on, s.in_schedule_on))
                        END) END,
       q.as_of, c.verified AND coalesce(j.verified, true)
FROM _scorecard_quarters q
JOIN commitments c USING (commitment_id)
LEFT JOIN judged j ON j.commitment_id = q.commitment_id AND j.quarter = q.quarter
LEFT JOIN schedule s ON s.commitment_id = q.commitment_id
LEFT JOIN basis b ON b.commitment_id = q.commitment_id AND b.quarter = q.quarter
