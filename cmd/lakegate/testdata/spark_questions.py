"""The canned business questions (queries/*.sql) in Spark's dialect, shared by
the metastore test (spark_hms.py) and the seeds' batch benchmark
(bench/spark/seeds_batch.py)."""

# The canned queries (queries/*.sql), with their default parameters, in
# Spark's dialect: QUALIFY and COLUMNS() become subqueries.
QUESTIONS = {
    "assessment_count": """SELECT count(*) AS attempts, count(DISTINCT base_exam_id) AS assessments,
        count(DISTINCT exam_name) AS exam_names FROM assessments.attempts WHERE NOT is_test""",
    "attempts_per_day": """SELECT CAST(started_at AS DATE) AS day, count(*) AS attempts,
        count(DISTINCT user_exam_id) AS takers FROM assessments.attempts
        WHERE started_at IS NOT NULL AND NOT is_test GROUP BY 1 ORDER BY 1""",
    "average_completion_minutes": """SELECT round(avg(duration_seconds) / 60, 2) AS average_minutes,
        round(percentile(duration_seconds, 0.5) / 60, 2) AS median_minutes, count(duration_seconds) AS timed_attempts
        FROM assessments.attempts WHERE duration_seconds IS NOT NULL AND NOT is_test""",
    "average_score": """SELECT round(avg(score), 4) AS average_score, count(score) AS scored_attempts
        FROM assessments.attempts WHERE score IS NOT NULL AND NOT is_test""",
    "course_popularity": """WITH counts AS (SELECT exam_name, count(*) AS attempts FROM assessments.attempts
        WHERE NOT is_test GROUP BY exam_name)
        SELECT CASE WHEN attempts = (SELECT max(attempts) FROM counts) THEN 'most' ELSE 'least' END AS rank,
        exam_name, attempts FROM counts
        WHERE attempts = (SELECT max(attempts) FROM counts) OR attempts = (SELECT min(attempts) FROM counts)
        ORDER BY attempts DESC, exam_name""",
    "course_takers": """SELECT count(*) AS attempts, count(DISTINCT user_exam_id) AS takers
        FROM assessments.attempts WHERE exam_name = 'Learning Git' AND NOT is_test""",
    "hardest_questions": """SELECT question_id, exam_name, count(*) AS attempts,
        count(*) FILTER (WHERE user_correct) AS correct,
        round(count(*) FILTER (WHERE user_correct) / count(*), 4) AS share_correct
        FROM assessments.questions WHERE base_exam_id IS DISTINCT FROM 'example-id'
        GROUP BY question_id, exam_name HAVING count(*) >= 20
        ORDER BY count(*) FILTER (WHERE user_correct) / count(*), attempts DESC, question_id LIMIT 20""",
    "pass_rate": """SELECT round(avg(CASE WHEN score >= 0.7 THEN 1.0 ELSE 0.0 END), 4) AS pass_rate,
        count(*) FILTER (WHERE score >= 0.7) AS passed, count(*) AS scored_attempts
        FROM assessments.attempts WHERE score IS NOT NULL AND NOT is_test""",
    "top_courses": """SELECT * FROM (SELECT rank() OVER (ORDER BY count(*) DESC) AS rank, exam_name,
        count(*) AS attempts, count(DISTINCT user_exam_id) AS takers, round(avg(score), 4) AS average_score
        FROM assessments.attempts WHERE NOT is_test GROUP BY exam_name) WHERE rank <= 10
        ORDER BY attempts DESC, exam_name""",
}
