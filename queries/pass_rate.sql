-- name: pass_rate
-- title: Pass rate
-- description: Share of scored attempts (score = counts.correct / counts.total; attempts
-- description: without counts have none) with a score at or above threshold, excluding test
-- description: rows; passed counts those attempts.
-- chart: none
-- param: threshold number 0.7 -- lowest passing score, from 0 to 1
SELECT round(avg(CASE WHEN score >= CAST($threshold AS DOUBLE) THEN 1e0 ELSE 0e0 END), 4) AS pass_rate,
       count(*) FILTER (WHERE score >= CAST($threshold AS DOUBLE)) AS passed,
       count(*) AS scored_attempts
FROM assessments.attempts
WHERE score IS NOT NULL AND NOT is_test
