"""A paho-mqtt publisher that numbers its messages and survives broker restarts.

Usage: numbered_publisher.py PORT CLIENT_ID COUNT QOS

Publishes "CLIENT_ID:N" for N = 1..COUNT on count/CLIENT_ID with a persistent 3.1.1 session,
reconnecting when the broker goes away; paho re-sends unfinished QoS 1/2 messages (DUP) after a
reconnect. Prints "acknowledged N" when message N completed (PUBACK, or PUBCOMP for QoS 2) and
"done" when all did.
"""

import sys
import threading

import paho.mqtt.client as mqtt

port, client_id, count, qos = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
completed = set()
lock = threading.Lock()
finished = threading.Event()


def on_publish(client, userdata, mid, reason_code, properties):
    # A fresh client numbers its messages 1, 2, 3... as it publishes them, so the message id is
    # the number (COUNT stays below 65536).
    number = mid
    with lock:
        if number in completed:
            return
        completed.add(number)
        print(f"acknowledged {number}", flush=True)
        if len(completed) == count:
            finished.set()


client = mqtt.Client(
    mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False, protocol=mqtt.MQTTv311
)
client.max_inflight_messages_set(20)
client.max_queued_messages_set(0)
client.reconnect_delay_set(min_delay=0.1, max_delay=0.5)
client.on_publish = on_publish
client.connect("127.0.0.1", port)
client.loop_start()
print("connected", flush=True)
for number in range(1, count + 1):
    info = client.publish(f"count/{client_id}", f"{client_id}:{number}", qos=qos)
    assert info.mid == number
finished.wait()
print("done", flush=True)
client.loop_stop()
