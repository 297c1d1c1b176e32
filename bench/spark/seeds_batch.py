"""The seeds' batch path in Spark (local mode, both cores), for bench/suite:
read the nested assessment JSON, flatten it into attempts and questions,
write Parquet, then answer the business questions with Spark SQL.

    python bench/spark/seeds_batch.py IN.ndjson OUT_DIR RUNS
    python bench/spark/seeds_batch.py startup

Prints one JSON object per line:
  {"step": "ingest", "seconds": S, "attempts": N, "questions": M}
      wall time from before the SparkSession starts (start-up included, as a
      user runs the job) to both tables written;
  {"step": "query", "name": Q, "run": i, "seconds": S, "rows": R}
      each question RUNS times over the written Parquet, in a warm session;
  {"step": "startup", "seconds": S}
      (second form) a fresh process's SparkSession start-up alone: what a
      question costs end to end on top of its warm time.

The flattening is lakegate's (ingest/tables.go): exact duplicate records
land once (here by keen_id, which the generator repeats only in exact
duplicates), score = counts.correct / counts.total, is_test when
base_exam_id is "example-id", duration to the latest option answer. Spark
infers the schema from the data, as the seeds' job did.
"""
import json
import os
import sys
import time

t0 = time.time()
from pyspark.sql import SparkSession  # noqa: E402  (start-up is timed from t0)
from pyspark.sql import functions as F  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "cmd", "lakegate", "testdata"))
from spark_questions import QUESTIONS  # noqa: E402


def session():
    s = (SparkSession.builder.master("local[2]").appName("seeds-batch")
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.sql.shuffle.partitions", "4")
         .config("spark.driver.memory", "4g")
         .config("spark.ui.enabled", "false").getOrCreate())
    s.sparkContext.setLogLevel("ERROR")
    return s


def flatten(spark, path, out):
    raw = spark.read.json(path).dropDuplicates(["keen_id"])
    seq = F.col("sequences")
    answered = F.flatten(F.transform(seq["questions"], lambda q: F.transform(q["options"], lambda o: o["at"])))
    started = F.to_timestamp("started_at")
    completed = F.to_timestamp(F.array_max(answered))
    attempts = raw.select(
        "keen_id", "user_exam_id", "base_exam_id", "exam_name",
        F.col("certification").cast("boolean").alias("certification"),
        F.col("max_attempts").cast("double").alias("max_attempts"),
        started.alias("started_at"), completed.alias("completed_at"),
        (completed.cast("double") - started.cast("double")).alias("duration_seconds"),
        seq["id"].alias("sequence_id"), seq["attempt"].alias("attempt"),
        F.size(seq["questions"]).alias("question_count"),
        *[seq["counts"][c].alias(c) for c in ["correct", "incorrect", "incomplete", "submitted", "unanswered", "total", "all_correct"]],
        F.when(seq["counts"]["total"] > 0, seq["counts"]["correct"] / seq["counts"]["total"]).alias("score"),
        (F.col("base_exam_id") == "example-id").alias("is_test"))
    questions = raw.select("keen_id", "user_exam_id", "base_exam_id", "exam_name",
                           F.posexplode(seq["questions"]).alias("pos", "q")).select(
        "keen_id", "user_exam_id", "base_exam_id", "exam_name", (F.col("pos") + 1).alias("position"),
        F.col("q.id").alias("question_id"), F.col("q.user_correct").alias("user_correct"),
        F.col("q.user_incomplete").alias("user_incomplete"), F.col("q.user_submitted").alias("user_submitted"),
        F.col("q.user_result").alias("user_result"), F.size("q.options").alias("option_count"))
    attempts.write.mode("overwrite").parquet(os.path.join(out, "attempts"))
    questions.write.mode("overwrite").parquet(os.path.join(out, "questions"))


def emit(**kw):
    print(json.dumps(kw), flush=True)


def main():
    path, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    spark = session()
    flatten(spark, path, out)
    attempts = spark.read.parquet(os.path.join(out, "attempts"))
    questions = spark.read.parquet(os.path.join(out, "questions"))
    emit(step="ingest", seconds=round(time.time() - t0, 3), attempts=attempts.count(), questions=questions.count())
    attempts.createOrReplaceTempView("attempts")
    questions.createOrReplaceTempView("questions")
    for name, sql in QUESTIONS.items():
        sql = sql.replace("assessments.", "")
        for i in range(runs + 1):  # run 0 warms the session up and is not reported
            start = time.time()
            rows = spark.sql(sql).collect()
            if i:
                emit(step="query", name=name, run=i, seconds=round(time.time() - start, 4), rows=len(rows))
    spark.stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["startup"]:
        session().stop()
        emit(step="startup", seconds=round(time.time() - t0, 3))
    else:
        main()
