-- name: average_completion_minutes
-- title: Average completion time
-- description: Minutes from started_at to the last answer (completed_at: the latest "at" of
-- description: any option; options without "at" are skipped), mean and median, over the
-- description: attempts that have both; test rows are left out.
-- chart: none
SELECT round(avg(duration_seconds) / 60, 2) AS average_minutes,
       round(median(duration_seconds) / 60, 2) AS median_minutes,
       count(duration_seconds) AS timed_attempts
FROM assessments.attempts
WHERE duration_seconds IS NOT NULL AND NOT is_test
