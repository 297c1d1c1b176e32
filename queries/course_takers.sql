-- name: course_takers
-- title: How many took a course
-- description: Attempts at the exam named exam_name (default Learning Git) and the distinct
-- description: user_exam_id among them (takers), excluding test rows; exact duplicate
-- description: records count once.
-- chart: none
-- param: exam_name string Learning Git -- the exam's name, exactly as in exam_name
SELECT count(*) AS attempts, count(DISTINCT user_exam_id) AS takers
FROM assessments.attempts
WHERE exam_name = $exam_name AND NOT is_test
