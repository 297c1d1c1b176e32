-- name: top_courses
-- title: Top courses
-- description: The n courses (exam_name) with the most attempts, with their distinct takers
-- description: (user_exam_id) and average score (attempts without counts have no score);
-- description: courses tied at the last place are all listed. Test rows are left out.
-- chart: bar
-- param: n integer 10 -- how many courses
SELECT rank, exam_name, attempts, takers, average_score
FROM (
  -- Written for DuckDB and Presto alike (Presto has no QUALIFY).
  SELECT rank() OVER (ORDER BY count(*) DESC) AS rank,
         exam_name,
         count(*) AS attempts,
         count(DISTINCT user_exam_id) AS takers,
         round(avg(score), 4) AS average_score
  FROM assessments.attempts
  WHERE NOT is_test
  GROUP BY exam_name
) AS ranked
WHERE rank <= $n
ORDER BY attempts DESC, exam_name
