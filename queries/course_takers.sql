-- name: course_takers
-- title: How many took Learning Git
-- description: Attempts at the exam named Learning Git and distinct user_exam_id among them.
-- chart: none
SELECT count(*) AS attempts, count(DISTINCT user_exam_id) AS takers
FROM assessments.attempts
WHERE exam_name = 'Learning Git' AND NOT is_test
