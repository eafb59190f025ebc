# Writes libFuzzer seeds for KafkaFuzz from a kafka-frame-proxy.py log:
#  - every response body, prefixed with the selector bytes KafkaFuzz reads (even first byte:
#    API index * 2; second byte: version - lowest implemented version);
#  - the record data of every Produce request (odd first byte: record-batch decoder).
# Usage: make-seeds.py FRAMES.log CORPUS_DIR
import hashlib, os, struct, sys

# APIKey.implemented order and lowest implemented version (Sources/KafkaProtocol/Protocol/APIKey.swift).
implemented = [(0, 3), (1, 4), (2, 1), (3, 1), (8, 2), (9, 1), (10, 0), (11, 0), (12, 0), (13, 0),
               (14, 0), (17, 0), (18, 0), (19, 2), (20, 1), (22, 0), (36, 0)]
index = {key: (i, low) for i, (key, low) in enumerate(implemented)}
flexible_response_header = {0: 9, 1: 12, 2: 6, 3: 9, 8: 8, 9: 6, 10: 3, 11: 6, 12: 4, 13: 4, 14: 4, 19: 5,
                            20: 4, 22: 2, 36: 2}

def write(seed):
    name = hashlib.sha1(seed).hexdigest()
    with open(os.path.join(sys.argv[2], name), "wb") as f:
        f.write(seed)

count = 0
for line in open(sys.argv[1]):
    direction, api, version, _, payload = line.split()
    api, version, data = int(api), int(version), bytes.fromhex(payload)
    if direction == "resp" and api in index:
        i, low = index[api]
        body = data[4:]
        first_flexible = flexible_response_header.get(api)
        if first_flexible is not None and version >= first_flexible:
            body = body[1:]  # empty header tagged-field section
        write(bytes([i * 2, version - low]) + body)
        count += 1
    elif direction == "req" and api == 0:
        # Produce v10: header, null transactional id, acks, timeout, one topic, one partition.
        i = 10 + struct.unpack(">h", data[8:10])[0] + 1 + 1 + 2 + 4 + 1
        i += data[i]  # topic name (compact string: length + 1 byte, then the name)
        i += 1 + 4  # partition count, partition index
        length, shift = 0, 0
        while True:  # compact records length (unsigned varint, + 1)
            byte = data[i]
            i += 1
            length |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        write(bytes([1, 0]) + data[i:i + length - 1])
        count += 1
print(f"wrote {count} seeds to {sys.argv[2]}")
