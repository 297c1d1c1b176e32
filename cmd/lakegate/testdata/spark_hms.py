"""Spark, as in the seeds, over lakegate's metastore: SHOW TABLES, DESCRIBE,
the canned business questions as Spark SQL, the partitions it sees.

    python spark_hms.py THRIFT_PORT > answers.json

It prints one JSON object: tables, the columns of assessments.attempts,
partitions, and each question's rows (values as strings)."""
import json
import sys

from pyspark.sql import SparkSession

from spark_questions import QUESTIONS  # beside this file

spark = (SparkSession.builder.master("local[1]").appName("lakegate-hms-test")
         .config("spark.hadoop.hive.metastore.uris", "thrift://127.0.0.1:" + sys.argv[1])
         .config("spark.sql.session.timeZone", "UTC")
         .config("spark.ui.enabled", "false")
         .config("spark.sql.shuffle.partitions", "2")
         .enableHiveSupport().getOrCreate())
spark.sparkContext.setLogLevel("ERROR")


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
