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
-- dialect: presto
WITH timed AS (
  SELECT duration_seconds AS s
  FROM assessments.attempts
  WHERE duration_seconds IS NOT NULL AND NOT is_test
), ordered AS (
  SELECT s, row_number() OVER (ORDER BY s) AS i, count(*) OVER () AS n FROM timed
)
-- Presto has no exact median: the middle value, or the mean of the two.
SELECT round((SELECT avg(s) FROM timed) / 60, 2) AS average_minutes,
       round(avg(CAST(s AS DOUBLE)) / 60, 2) AS median_minutes,
       (SELECT count(*) FROM timed) AS timed_attempts
FROM ordered
WHERE i IN ((n + 1) / 2, (n + 2) / 2)
