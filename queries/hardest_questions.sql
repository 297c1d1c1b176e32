-- name: hardest_questions
-- title: Hardest questions
-- description: Questions with the lowest share correct: the share of the attempts that
-- description: asked the question where user_correct is true, over questions asked at least
-- description: min_attempts times; test rows are left out. The n lowest, ties broken by more
-- description: attempts, then question_id.
-- chart: bar
-- param: min_attempts integer 20 -- leave out questions asked fewer times
-- param: n integer 20 -- how many questions
SELECT question_id, exam_name, attempts, correct, share_correct
FROM (
  -- Written for DuckDB and Presto alike. A share is a DOUBLE division (Presto
  -- divides integers as integers), and the n lowest come by row_number (Presto
  -- takes no parameter in LIMIT).
  SELECT question_id,
         exam_name,
         count(*) AS attempts,
         count(*) FILTER (WHERE user_correct) AS correct,
         round(CAST(count(*) FILTER (WHERE user_correct) AS DOUBLE) / count(*), 4) AS share_correct,
         row_number() OVER (ORDER BY CAST(count(*) FILTER (WHERE user_correct) AS DOUBLE) / count(*),
                                     count(*) DESC, question_id) AS position
  FROM assessments.questions
  WHERE base_exam_id IS DISTINCT FROM CAST('example-id' AS VARCHAR)
  GROUP BY question_id, exam_name
  HAVING count(*) >= $min_attempts
) AS ranked
WHERE position <= $n
ORDER BY position
