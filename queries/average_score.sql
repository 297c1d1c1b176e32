-- name: average_score
-- title: Average score
-- description: Mean score, where an attempt's score is counts.correct / counts.total; attempts
-- description: without counts (or with total 0) have no score and are left out, and so are
-- description: test rows. One overall row (average_score, scored_attempts), or with by_course one
-- description: row per course, exam_name first, best first.
-- chart: bar
-- param: by_course boolean false -- one row per course instead of one overall row
SELECT COLUMNS(c -> $by_course OR c <> 'exam_name')
FROM (
  SELECT CASE WHEN $by_course THEN exam_name END AS exam_name,
         round(avg(score), 4) AS average_score,
         count(score) AS scored_attempts
  FROM assessments.attempts
  WHERE score IS NOT NULL AND NOT is_test
  GROUP BY ALL
)
ORDER BY average_score DESC, exam_name
-- dialect: presto
SELECT exam_name,
       round(avg(score), 4) AS average_score,
       count(score) AS scored_attempts
FROM (
  SELECT CASE WHEN $by_course THEN exam_name END AS exam_name, score
  FROM assessments.attempts
  WHERE score IS NOT NULL AND NOT is_test
) AS scored
GROUP BY exam_name
ORDER BY average_score DESC, exam_name
