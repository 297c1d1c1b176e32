-- name: course_popularity
-- title: Most and least common courses
-- description: The courses (exam_name) with the highest and the lowest number of attempts,
-- description: with those numbers; every course tied at either end is listed. Test rows are
-- description: left out; exact duplicate records count once.
-- chart: bar
WITH counts AS (
  SELECT exam_name, count(*) AS attempts
  FROM assessments.attempts
  WHERE NOT is_test
  GROUP BY exam_name
)
SELECT CASE WHEN attempts = (SELECT max(attempts) FROM counts) THEN 'most' ELSE 'least' END AS rank,
       exam_name, attempts
FROM counts
WHERE attempts = (SELECT max(attempts) FROM counts) OR attempts = (SELECT min(attempts) FROM counts)
ORDER BY attempts DESC, exam_name
