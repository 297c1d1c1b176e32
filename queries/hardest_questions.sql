-- name: hardest_questions
-- title: Hardest questions
-- description: Questions with the lowest share correct: the share of the attempts that
-- description: asked the question where user_correct is true, over questions asked at least
-- description: min_attempts times; test rows are left out. The n lowest, ties broken by more
-- description: attempts, then question_id.
-- chart: bar
-- param: min_attempts integer 20 -- leave out questions asked fewer times
-- param: n integer 20 -- how many questions
SELECT question_id,
       exam_name,
       count(*) AS attempts,
       count(*) FILTER (WHERE user_correct) AS correct,
       round(count(*) FILTER (WHERE user_correct) / count(*), 4) AS share_correct
FROM assessments.questions
WHERE base_exam_id IS DISTINCT FROM 'example-id'
GROUP BY question_id, exam_name
HAVING count(*) >= $min_attempts
ORDER BY count(*) FILTER (WHERE user_correct) / count(*), attempts DESC, question_id
LIMIT $n
