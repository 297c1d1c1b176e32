"""The seeds' path: Spark structured streaming from a Kafka topic to Parquet.

    python bench/spark/stream.py BROKERS TOPIC OUT_DIR events|assessments [available|trigger SECONDS DURATION]

available: trigger(availableNow=True), reads the topic to its end and stops;
prints wall time from before SparkSession start to the end (start-up included),
and rows written. trigger: processingTime trigger, runs DURATION seconds and
prints each micro-batch's durations (Spark's own progress reports).
The jars: spark-sql-kafka-0-10 and its dependencies (SPARK_KAFKA_JARS,
comma-separated), fetched from Maven Central by bench/kafka_spark.sh.
"""
import json, os, sys, time

t0 = time.time()
from pyspark.sql import SparkSession
from pyspark.sql.functions import col, from_json
from pyspark.sql.types import StringType, StructField, StructType

brokers, topic, out, kind = sys.argv[1:5]
mode = sys.argv[5] if len(sys.argv) > 5 else "available"
spark = (SparkSession.builder.master("local[2]").appName("seeds-stream")
         .config("spark.jars", os.environ["SPARK_KAFKA_JARS"])
         .config("spark.sql.shuffle.partitions", "2")
         .config("spark.ui.enabled", "false").getOrCreate())
spark.sparkContext.setLogLevel("ERROR")
if kind == "events":  # the seeds' events schema
    fields = ["event_type", "Host", "User-Agent", "sword_type", "received_at"]
else:  # the top-level fields of an assessment attempt (the seeds kept the nested rest as JSON)
    fields = ["keen_id", "keen_timestamp", "base_exam_id", "user_exam_id", "exam_name", "started_at", "certification", "max_attempts"]
schema = StructType([StructField(f, StringType()) for f in fields])
raw = (spark.readStream.format("kafka").option("kafka.bootstrap.servers", brokers)
       .option("subscribe", topic).option("startingOffsets", "earliest")
       .option("maxOffsetsPerTrigger", "1000000").load())
rows = raw.select(col("value").cast("string").alias("raw"), col("partition"), col("offset"), col("timestamp")) \
          .withColumn("j", from_json(col("raw"), schema)).select("j.*", "partition", "offset", "timestamp", "raw")
w = rows.writeStream.format("parquet").option("path", out).option("checkpointLocation", out + "_checkpoint")
if mode == "available":
    q = w.trigger(availableNow=True).start()
    q.awaitTermination()
    n = spark.read.parquet(out).count()
    print(json.dumps({"rows": n, "seconds": round(time.time() - t0, 2)}))
else:
    secs, dur = int(sys.argv[6]), int(sys.argv[7])
    q = w.trigger(processingTime=f"{secs} seconds").start()
    time.sleep(dur)
    for p in q.recentProgress:
        print(json.dumps({"batch": p["batchId"], "rows": p["numInputRows"], "ms": p["durationMs"].get("triggerExecution")}))
    q.stop()
spark.stop()
