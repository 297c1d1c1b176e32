"""Spark, as in the seeds, over lakegate's metastore: SHOW TABLES, DESCRIBE,
the canned business questions as Spark SQL, the partitions it sees.

    python spark_hms.py THRIFT_PORT > answers.json

It prints one JSON object: tables, the columns of assessments.attempts,
partitions, and each question's rows (values as strings)."""
import json
import sys

from pyspark.sql import SparkSession

spark = (SparkSession.builder.master("local[1]").appName("lakegate-hms-test")
         .config("spark.hadoop.hive.metastore.uris", "thrift://127.0.0.1:" + sys.argv[1])
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "2")
         .enableHiveSupport().getOrCreate())
spark.sparkContext.setLogLevel("ERROR")

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


def columns():
    """The columns DESCRIBE lists before its partition section."""
    out = []
    for r in rows("DESCRIBE assessments.attempts"):
        if not r[0] or r[0].startswith("#"):
            break
        out.append(r[0])
    return out


def rows(sql):
    return [[None if v is None else str(v) for v in r] for r in spark.sql(sql).collect()]


out = {
    "tables": sorted(r[1] for r in rows("SHOW TABLES IN assessments")),
    "columns": columns(),
    "partitions": [r[0] for r in rows("SHOW PARTITIONS assessments.attempts")],
    "answers": {name: rows(sql) for name, sql in QUESTIONS.items()},
}
# Phase two: the test lands a new partition, then says so on stdin; the
# same session sees it (REFRESH drops Spark's own cache of the listing).
print(json.dumps(out), flush=True)
sys.stdin.readline()
spark.sql("REFRESH TABLE assessments.attempts")
print(json.dumps({"partitions": [r[0] for r in rows("SHOW PARTITIONS assessments.attempts")],
                  "count": rows("SELECT count(*) FROM assessments.attempts")[0][0]}), flush=True)
