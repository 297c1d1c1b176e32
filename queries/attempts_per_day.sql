-- name: attempts_per_day
-- title: Attempts per day
-- description: Attempts and distinct takers (user_exam_id) per UTC day of started_at,
-- description: excluding test rows and attempts without started_at.
-- chart: line
SELECT CAST(started_at AS DATE) AS day,
       count(*) AS attempts,
       count(DISTINCT user_exam_id) AS takers
FROM assessments.attempts
WHERE started_at IS NOT NULL AND NOT is_test
GROUP BY CAST(started_at AS DATE)
ORDER BY day
