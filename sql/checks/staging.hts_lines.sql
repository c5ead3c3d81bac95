-- Contracts of staging.hts_lines across a release
-- name: numeric_share_98_percent
-- severity: error
-- description: At least 98% of a release's chapter 01-97 lines have a column-1 rate parsed into numbers (free, ad valorem, specific or compound): a lower share means a format change in the export.
SELECT release AS partition,
       printf('%.2f%% numeric', 100 * count(*) FILTER (WHERE rate_kind <> 'other') / count(*))
           AS value
FROM staging.hts_lines
WHERE chapter <= '97' AND release IN (SELECT unnest($keys))
GROUP BY release
HAVING count(*) FILTER (WHERE rate_kind <> 'other') < 0.98 * count(*)
