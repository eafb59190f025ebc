# Tributary's developer commands. README.md names the two a newcomer needs: `make run`, `make test`.
SWIFT ?= swift
# Extra arguments for `tributary serve`, e.g. make run SERVE_ARGS="--listen 0.0.0.0:1883"
SERVE_ARGS ?=

.PHONY: setup build release run test lint format bench-mqtt bench-durable bench-kafka bench-consume bench-bridge bench-k2m fuzz-mqtt fuzz-kafka clean

## Install the Debian packages and the Python peers the tests use (idempotent).
setup:
	./scripts/setup

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product tributary

## The main job: a release build of the broker with its Kafka bridge on the embedded defaults,
## a local Kafka (tansu) and simulated generators feeding it (scripts/run).
run: setup release
	SERVE_ARGS="$(SERVE_ARGS)" ./scripts/run

## Every test: formatting, unit, codec, integration tests against independent peers.
test: setup lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

lint:
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests

format:
	$(SWIFT) format --in-place --recursive --parallel Package.swift Sources Tests

## Tributary vs Mosquitto, same client tool, one run (see docs/benchmarks.md).
bench-mqtt: setup release
	./scripts/bench-mqtt

## QoS 1 with persistent sessions: Mosquitto, Tributary in memory, and with its store (docs/persistence.md).
bench-durable: setup release
	./scripts/bench-durable

## MQTT → Kafka end to end: Tributary's bridge, Mosquitto + a paho→confluent script, raw kcat (docs/bridge.md).
bench-bridge: setup release
	./scripts/bench-bridge

## Our Kafka producer vs kcat -P against the same tansu, one run (see docs/kafka-client.md).
bench-kafka: setup release
	./scripts/bench-kafka

## Our group consumer vs kcat -C -e reading the same records from one tansu (docs/kafka-client.md).
bench-consume: setup release
	./scripts/bench-consume

## Kafka → MQTT: records from kcat delivered to a mosquitto_sub, against `kcat -C` (docs/bridge.md).
bench-k2m: setup release
	./scripts/bench-k2m

## Fuzz the MQTT decoder; RUNS=N inputs (not part of `make test`).
fuzz-mqtt:
	./scripts/fuzz-mqtt $(RUNS)

## Fuzz the Kafka response and record-batch decoders; RUNS=N inputs (not part of `make test`).
fuzz-kafka:
	./scripts/fuzz-kafka $(RUNS)

clean:
	rm -rf .build
