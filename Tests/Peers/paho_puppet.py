#!/usr/bin/env python3
"""A paho-mqtt client driven by JSON commands on stdin, reporting every event as JSON on stdout.

Tributary's integration tests use it to check the broker with a client that no one on the
project wrote. One command per line; one event per line. Commands:

  {"cmd": "connect", "host": H, "port": P, "client_id": "c", "version": 5 | 4 | 3,
   "clean_start": true, "keepalive": 60, "properties": {...}, "username": U, "password": P,
   "will": {"topic": T, "payload": S, "qos": 0, "retain": false, "properties": {...}},
   "manual_ack": false, "transport": "tcp" | "websockets", "ws_path": "/mqtt",
   "tls": {"ca_certs": F, "certfile": F, "keyfile": F}}
  {"cmd": "subscribe", "topic": T, "qos": 0, "no_local": false, "retain_as_published": false,
   "retain_handling": 0, "properties": {...}}
  {"cmd": "unsubscribe", "topics": [T, ...]}
  {"cmd": "publish", "topic": T, "payload": S | "payload_hex": H, "qos": 0, "retain": false,
   "properties": {...}}
  {"cmd": "ack", "mid": M, "qos": Q}          (with manual_ack)
  {"cmd": "disconnect", "reason_code": 0, "properties": {...}}
  {"cmd": "exit"}                             (ends the process without DISCONNECT)

Properties use paho's names (MessageExpiryInterval, UserProperty as [[k, v], ...],
CorrelationData as hex, ...). Events: ready, connack, suback, unsuback, publish_sent,
published, message, disconnect, error.
"""
import json
import os
import sys
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

_out = threading.Lock()


def emit(**event):
    with _out:
        sys.stdout.write(json.dumps(event) + "\n")
        sys.stdout.flush()


def properties_from(spec, packet_type):
    if not spec:
        return None
    properties = Properties(packet_type)
    for name, value in spec.items():
        if name == "CorrelationData":
            value = bytes.fromhex(value)
        elif name == "UserProperty":
            value = [tuple(pair) for pair in value]
        setattr(properties, name, value)
    return properties


def properties_to_dict(properties):
    if properties is None:
        return {}
    data = properties.json()
    if "UserProperty" in data:
        data["UserProperty"] = [list(pair) for pair in data["UserProperty"]]
    return data


def reason_value(code):
    return code.value if hasattr(code, "value") else int(code)


class Puppet:
    def __init__(self):
        self.client = None

    def connect(self, cmd):
        version = {5: mqtt.MQTTv5, 4: mqtt.MQTTv311, 3: mqtt.MQTTv31}[cmd.get("version", 5)]
        kwargs = {}
        if version != mqtt.MQTTv5:
            kwargs["clean_session"] = cmd.get("clean_start", True)
        client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=cmd.get("client_id", ""),
            protocol=version,
            transport=cmd.get("transport", "tcp"),
            **kwargs,
        )
        if cmd.get("transport") == "websockets":
            client.ws_set_options(path=cmd.get("ws_path", "/mqtt"))
        tls = cmd.get("tls")
        if tls is not None:
            client.tls_set(ca_certs=tls.get("ca_certs"), certfile=tls.get("certfile"), keyfile=tls.get("keyfile"))
        client.manual_ack_set(cmd.get("manual_ack", False))
        if "username" in cmd:
            client.username_pw_set(cmd["username"], cmd.get("password"))
        will = cmd.get("will")
        if will:
            client.will_set(
                will["topic"],
                will.get("payload", ""),
                qos=will.get("qos", 0),
                retain=will.get("retain", False),
                properties=properties_from(will.get("properties"), PacketTypes.WILLMESSAGE),
            )
        client.on_connect = self.on_connect
        client.on_subscribe = self.on_subscribe
        client.on_unsubscribe = self.on_unsubscribe
        client.on_publish = self.on_publish
        client.on_message = self.on_message
        client.on_disconnect = self.on_disconnect
        # The tests decide about reconnecting, never paho.
        client.reconnect_delay_set(3600, 3600)
        self.client = client
        connect_kwargs = {"keepalive": cmd.get("keepalive", 60)}
        if version == mqtt.MQTTv5:
            connect_kwargs["clean_start"] = cmd.get("clean_start", True)
            connect_kwargs["properties"] = properties_from(cmd.get("properties"), PacketTypes.CONNECT)
        client.connect(cmd.get("host", "127.0.0.1"), cmd["port"], **connect_kwargs)
        client.loop_start()

    def on_connect(self, client, userdata, flags, reason_code, properties):
        emit(
            event="connack",
            reason_code=reason_value(reason_code),
            session_present=bool(flags.session_present),
            properties=properties_to_dict(properties),
        )

    def on_subscribe(self, client, userdata, mid, reason_codes, properties):
        emit(event="suback", mid=mid, reason_codes=[reason_value(c) for c in reason_codes],
             properties=properties_to_dict(properties))

    def on_unsubscribe(self, client, userdata, mid, reason_codes, properties):
        emit(event="unsuback", mid=mid, reason_codes=[reason_value(c) for c in reason_codes],
             properties=properties_to_dict(properties))

    def on_publish(self, client, userdata, mid, reason_code, properties):
        emit(event="published", mid=mid, reason_code=reason_value(reason_code),
             properties=properties_to_dict(properties))

    def on_message(self, client, userdata, message):
        try:
            text = message.payload.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        emit(
            event="message",
            topic=message.topic,
            payload=text,
            payload_hex=message.payload.hex(),
            qos=message.qos,
            retain=bool(message.retain),
            dup=bool(message.dup),
            mid=message.mid,
            properties=properties_to_dict(getattr(message, "properties", None)),
        )

    def on_disconnect(self, client, userdata, flags, reason_code, properties):
        emit(event="disconnect", reason_code=reason_value(reason_code),
             properties=properties_to_dict(properties))

    def run(self, cmd):
        name = cmd["cmd"]
        if name == "connect":
            self.connect(cmd)
        elif name == "subscribe":
            options = mqtt.SubscribeOptions(
                qos=cmd.get("qos", 0),
                noLocal=cmd.get("no_local", False),
                retainAsPublished=cmd.get("retain_as_published", False),
                retainHandling=cmd.get("retain_handling", 0),
            )
            if self.client.protocol == mqtt.MQTTv5:
                properties = properties_from(cmd.get("properties"), PacketTypes.SUBSCRIBE)
                result, mid = self.client.subscribe(cmd["topic"], options=options, properties=properties)
            else:
                result, mid = self.client.subscribe(cmd["topic"], qos=cmd.get("qos", 0))
            emit(event="subscribe_sent", mid=mid, result=int(result))
        elif name == "unsubscribe":
            result, mid = self.client.unsubscribe(cmd["topics"])
            emit(event="unsubscribe_sent", mid=mid, result=int(result))
        elif name == "publish":
            payload = bytes.fromhex(cmd["payload_hex"]) if "payload_hex" in cmd else cmd.get("payload", "")
            properties = None
            if self.client.protocol == mqtt.MQTTv5:
                properties = properties_from(cmd.get("properties"), PacketTypes.PUBLISH)
            info = self.client.publish(cmd["topic"], payload, qos=cmd.get("qos", 0),
                                       retain=cmd.get("retain", False), properties=properties)
            emit(event="publish_sent", mid=info.mid, result=int(info.rc))
        elif name == "ack":
            self.client.ack(cmd["mid"], cmd["qos"])
        elif name == "disconnect":
            properties = None
            if self.client.protocol == mqtt.MQTTv5:
                properties = properties_from(cmd.get("properties"), PacketTypes.DISCONNECT)
            self.client.disconnect(reasoncode=None if "reason_code" not in cmd else
                                   mqtt.ReasonCode(PacketTypes.DISCONNECT, identifier=cmd["reason_code"]),
                                   properties=properties)
        elif name == "exit":
            # Ends without DISCONNECT: the broker sees the network connection drop.
            os._exit(0)
        else:
            emit(event="error", message=f"unknown command {name}")


def main():
    puppet = Puppet()
    emit(event="ready")
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            puppet.run(json.loads(line))
        except Exception as error:  # report, keep going: the test decides what it means
            emit(event="error", message=repr(error))
    os._exit(0)


if __name__ == "__main__":
    main()
