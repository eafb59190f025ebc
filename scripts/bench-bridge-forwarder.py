"""The "custom bridge" IoT teams run today, for scripts/bench-bridge: a paho-mqtt client
subscribed to Mosquitto that produces every message to Kafka with confluent-kafka (acks=all).

argv: mqtt_port bootstrap topic. Prints "ready", then once a second "tick <unix time> <records
Kafka acknowledged so far>" until killed."""
import sys
import threading
import time

import paho.mqtt.client as mqtt
from confluent_kafka import Producer

port, bootstrap, topic = int(sys.argv[1]), sys.argv[2], sys.argv[3]
producer = Producer({"bootstrap.servers": bootstrap, "acks": "all", "linger.ms": 5})
acknowledged = 0
lock = threading.Lock()


def delivered(error, _message):
    global acknowledged
    if error is None:
        with lock:
            acknowledged += 1


def on_message(_client, _userdata, message):
    while True:
        try:
            producer.produce(topic, key=message.topic.encode(), value=message.payload, on_delivery=delivered)
            break
        except BufferError:
            producer.poll(0.01)
    producer.poll(0)


client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="forwarder", protocol=mqtt.MQTTv311)
client.on_message = on_message
client.connect("127.0.0.1", port)
client.subscribe("bench/#", qos=1)
client.loop_start()
print("ready", flush=True)
while True:
    time.sleep(1)
    producer.poll(0)
    with lock:
        print(f"tick {time.time():.3f} {acknowledged}", flush=True)
