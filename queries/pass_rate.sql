-- name: pass_rate
-- title: Pass rate
-- description: Share of scored attempts (not test rows) with a score of at least 0.7.
-- chart: none
SELECT round(avg(CASE WHEN score >= 0.7 THEN 1.0 ELSE 0.0 END), 4) AS pass_rate,
       count(score) AS scored_attempts
FROM assessments.attempts
WHERE score IS NOT NULL AND NOT is_test
