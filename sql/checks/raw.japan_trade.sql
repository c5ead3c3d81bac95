-- Cross-row contracts of raw.japan_trade
-- name: months_add_up_to_the_year
-- severity: warning
-- description: A line's published months add up to its Value-Year; Customs rounds each figure down, so only gaps above 0.5% (and 10 thousand yen) are flagged for review.
SELECT release AS partition,
       printf('%s line %d: months %d vs year %d', file, line, months, year_value) AS value
FROM (
    SELECT release, file, line, try_cast(trim(value_year) AS BIGINT) AS year_value,
           list_sum(list_transform(
               list_slice([value_jan, value_feb, value_mar, value_apr, value_may, value_jun,
                           value_jul, value_aug, value_sep, value_oct, value_nov, value_dec],
                          1, published_through),
               lambda v: coalesce(try_cast(trim(v) AS BIGINT), 0))) AS months
    FROM raw.japan_trade
)
WHERE abs(months - year_value) > greatest(10, 0.005 * year_value)
