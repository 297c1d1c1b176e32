-- name: assessment_count
-- title: How many assessments
-- description: Attempts (distinct landed records: exact duplicate records land once),
-- description: distinct assessments (base_exam_id) and distinct exam names (exam_name),
-- description: excluding test rows (base_exam_id "example-id").
-- chart: none
SELECT count(*) AS attempts,
       count(DISTINCT base_exam_id) AS assessments,
       count(DISTINCT exam_name) AS exam_names
FROM assessments.attempts
WHERE NOT is_test
