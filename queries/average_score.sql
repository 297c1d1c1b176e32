-- name: average_score
-- title: Average score
-- description: Mean of correct/total over attempts that have counts with total > 0, excluding
-- description: test rows; attempts without counts have no score and are left out.
-- chart: none
SELECT round(avg(score), 4) AS average_score, count(score) AS scored_attempts
FROM assessments.attempts
WHERE NOT is_test
