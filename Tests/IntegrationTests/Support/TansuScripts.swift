/// confluent-kafka programs the Kafka integration tests run through ``TansuPython``.
enum TansuScripts {
    /// argv: bootstrap topic partitions. Prints every record of every partition (from the
    /// beginning to the end of the partition) as JSON.
    static let consumeAll = """
        import json, sys
        from confluent_kafka import Consumer, KafkaError, TopicPartition, OFFSET_BEGINNING
        bootstrap, topic, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3])
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "checker", "enable.partition.eof": True,
                             "enable.auto.commit": False})
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
        done = set()
        while len(done) < partitions:
            message = consumer.poll(20)
            if message is None:
                raise SystemExit("no message within 20 s")
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    done.add(message.partition())
                    continue
                raise SystemExit(str(message.error()))
            text = lambda b: None if b is None else b.decode()
            print(json.dumps({"partition": message.partition(), "offset": message.offset(),
                              "key": text(message.key()), "value": text(message.value()),
                              "headers": [[k, text(v)] for k, v in (message.headers() or [])],
                              "timestamp": message.timestamp()[1]}), flush=True)
        consumer.close()
        """

    /// argv: bootstrap topic compression keys... Produces one record per key (value = key) with
    /// the murmur2_random partitioner and prints key and partition from the delivery reports.
    static let produceKeys = """
        import json, sys
        from confluent_kafka import Producer
        bootstrap, topic, compression, keys = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
        producer = Producer({"bootstrap.servers": bootstrap, "partitioner": "murmur2_random",
                             "compression.type": compression})
        def report(error, message):
            if error is not None:
                raise SystemExit(str(error))
            print(json.dumps({"key": message.key().decode(), "partition": message.partition()}), flush=True)
        for key in keys:
            producer.produce(topic, key=key.encode(), value=("from-confluent-" + key).encode(),
                             headers=[("origin", b"confluent")], timestamp=1700000000000, on_delivery=report)
        if producer.flush(30) != 0:
            raise SystemExit("not all delivered")
        """
}
