"""The seeds' event collector, for comparison: a Flask API whose routes
merge the request headers into the event and send it to Kafka with
kafka-python, as the seeds' game_api.py did (KafkaProducer with its
defaults: acks=1, sent in the background, so the answer does not wait for
Kafka; ACKS=all waits for every replica, like lakegate's 202).

    BROKERS=127.0.0.1:9092 TOPIC=events python bench/seeds/game_api.py PORT
"""
import json
import os
import sys

from flask import Flask, request
from kafka import KafkaProducer

acks = os.environ.get("ACKS", "1")
producer = KafkaProducer(bootstrap_servers=os.environ["BROKERS"], acks="all" if acks == "all" else 1)
topic = os.environ.get("TOPIC", "events")
app = Flask(__name__)


def log_to_kafka(event):
    event.update(request.headers)
    future = producer.send(topic, json.dumps(event).encode())
    if acks == "all":
        future.get(timeout=15)  # durable before the answer, as lakegate's 202


@app.route("/purchase_a_sword")
def purchase_a_sword():
    log_to_kafka({"event_type": "purchase_sword"})
    return "Sword Purchased!\n"


@app.route("/join_guild")
def join_guild():
    log_to_kafka({"event_type": "join_guild"})
    return "Joined guild!\n"


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), threaded=True)
