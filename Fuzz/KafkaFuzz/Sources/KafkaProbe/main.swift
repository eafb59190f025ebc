import Glibc
import KafkaProtocol
import NIOCore

// kafka-probe: checks KafkaProtocol against a real broker, and measures CRC32C.
//
//   KafkaProbe crc                 prints CRC32C throughput of both implementations
//   KafkaProbe HOST PORT           sends every request in every version we implement (where the
//                                  broker's ApiVersions range allows) and decodes the answers
//
// Blocking sockets on purpose: this is a checking tool, not client code.

func crcThroughput() {
    let size = 64 << 20
    var bytes = [UInt8](repeating: 0, count: size)
    for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
    func measure(_ name: String, _ body: (UnsafeRawBufferPointer) -> UInt32) {
        var best = Duration.seconds(1000)
        var checksum: UInt32 = 0
        for _ in 0..<5 {
            let clock = ContinuousClock()
            let elapsed = clock.measure { checksum = bytes.withUnsafeBytes(body) }
            best = min(best, elapsed)
        }
        let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18
        print("\(name): \(Int(Double(size) / seconds / 1_000_000)) MB/s (crc \(String(checksum, radix: 16)))")
    }
    measure("CRC32C slicing-by-8") { CRC32C.softwareChecksum($0) }
    if CRC32C.isHardwareAccelerated {
        measure("CRC32C SSE4.2      ") { CRC32C.hardwareChecksum($0) }
    } else {
        print("CRC32C SSE4.2: not available on this CPU")
    }
}

struct Connection {
    let socket: Int32
    var correlationID: Int32 = 0

    init(host: String, port: UInt16) throws {
        self.socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(self.socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else { throw KafkaProtocolError(code: .invalidValue, detail: "connect failed") }
    }

    mutating func send<Request: KafkaRequest>(_ request: Request, version: Int16) throws -> Request.Response {
        self.correlationID += 1
        var frame = ByteBuffer()
        try frame.writeKafkaRequest(
            request,
            version: version,
            correlationID: self.correlationID,
            clientID: "kafka-probe"
        )
        let bytes = Array(frame.readableBytesView)
        _ = bytes.withUnsafeBytes { Glibc.send(self.socket, $0.baseAddress, $0.count, 0) }
        var decoder = KafkaFrameDecoder()
        var received = ByteBuffer()
        while true {
            if let response = try decoder.decode(buffer: &received) {
                guard response.correlationID == self.correlationID else {
                    throw KafkaProtocolError(code: .invalidValue, detail: "correlation id mismatch")
                }
                return try response.decode(Request.Response.self, version: version)
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(self.socket, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw KafkaProtocolError(code: .truncated, detail: "connection closed") }
            received.writeBytes(chunk[0..<count])
        }
    }
}

func probe(host: String, port: UInt16) throws {
    var connection = try Connection(host: host, port: port)
    let versions = try connection.send(ApiVersionsRequest(), version: 3)
    let negotiated = NegotiatedAPIVersions(broker: versions.apiKeys)
    var brokerRanges: [APIKey: ClosedRange<Int16>] = [:]
    for entry in versions.apiKeys { brokerRanges[entry.apiKey] = entry.minVersion...entry.maxVersion }
    var failures = 0
    var checked = 0

    func each<Request: KafkaRequest>(
        _ request: Request,
        _ check: (Request.Response, Int16) throws -> String? = { _, _ in nil }
    ) {
        guard let ours = Request.apiKey.implementedVersions, let theirs = brokerRanges[Request.apiKey] else {
            print("\(Request.apiKey): not offered by the broker")
            return
        }
        for version in max(ours.lowerBound, theirs.lowerBound)...min(ours.upperBound, theirs.upperBound) {
            checked += 1
            do {
                let response = try connection.send(request, version: version)
                if let problem = try check(response, version) {
                    failures += 1
                    print("FAIL \(Request.apiKey) v\(version): \(problem)")
                }
            } catch {
                failures += 1
                print("FAIL \(Request.apiKey) v\(version): \(error)")
                connection = try! Connection(host: host, port: port)
            }
        }
    }

    let topic = "probe-topic"
    each(ApiVersionsRequest()) { response, _ in response.errorCode.isSuccess ? nil : "\(response.errorCode)" }
    _ = try connection.send(
        CreateTopicsRequest(topics: [.init(name: topic, numPartitions: 1, replicationFactor: 1)], timeoutMs: 5000),
        version: 7
    )
    var topicID = KafkaUUID.zero
    each(MetadataRequest(topicNames: [topic])) { response, version in
        guard let first = response.topics.first, first.name == topic, first.errorCode.isSuccess else {
            return "unexpected topics \(response.topics)"
        }
        if version >= 10 { topicID = first.topicID }
        return response.brokers.isEmpty ? "no brokers" : nil
    }
    var builder = RecordBatchBuilder(compression: .zstd)
    try builder.append(key: ByteBuffer(string: "k"), value: ByteBuffer(string: "probe"), timestamp: 1_700_000_000_000)
    let batch = try builder.build()
    each(
        ProduceRequest(
            acks: -1,
            timeoutMs: 5000,
            topicData: [.init(name: topic, partitionData: [.init(index: 0, records: batch)])]
        )
    ) { response, _ in
        let partition = response.responses.first?.partitionResponses.first
        return partition?.errorCode.isSuccess == true ? nil : "produce answer \(response)"
    }
    each(ListOffsetsRequest(topics: [.init(name: topic, partitions: [.init(partitionIndex: 0, timestamp: -2)])])) {
        response,
        _ in
        response.topics.first?.partitions.first?.errorCode.isSuccess == true ? nil : "\(response)"
    }
    each(
        FetchRequest(
            maxWaitMs: 10,
            minBytes: 1,
            topics: [
                .init(
                    topic: topic,
                    topicID: topicID,
                    partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20)]
                )
            ]
        )
    ) { response, _ in
        guard let partition = response.responses.first?.partitions.first, partition.errorCode.isSuccess,
            let records = partition.records
        else { return "fetch answer \(response)" }
        let decoded = try RecordBatch.decodeAll(from: records)
        let values = decoded.batches.flatMap { $0.records.compactMap { $0.value.map { String(buffer: $0) } } }
        return values.contains("probe") ? nil : "fetched values \(values)"
    }
    each(InitProducerIdRequest()) { response, _ in response.errorCode.isSuccess ? nil : "\(response.errorCode)" }
    each(FindCoordinatorRequest(keys: ["probe-group"])) { response, _ in
        response.coordinators.first?.errorCode.isSuccess == true ? nil : "\(response)"
    }
    each(
        JoinGroupRequest(
            groupID: "probe-group",
            sessionTimeoutMs: 30_000,
            rebalanceTimeoutMs: 30_000,
            memberID: "",
            protocols: [.init(name: "range", metadata: try ConsumerProtocolSubscription(topics: [topic]).encoded())]
        )
    ) { response, _ in
        [KafkaErrorCode.noError, .memberIDRequired].contains(response.errorCode) ? nil : "\(response.errorCode)"
    }
    each(SyncGroupRequest(groupID: "probe-group", generationID: -1, memberID: "nobody")) { _, _ in nil }
    each(HeartbeatRequest(groupID: "probe-group", generationID: -1, memberID: "nobody")) { _, _ in nil }
    each(LeaveGroupRequest(groupID: "probe-group", members: [.init(memberID: "nobody")])) { _, _ in nil }
    each(
        OffsetCommitRequest(
            groupID: "probe-simple",
            topics: [.init(name: topic, partitions: [.init(partitionIndex: 0, committedOffset: 1)])]
        )
    ) { response, _ in
        response.topics.first?.partitions.first?.errorCode.isSuccess == true ? nil : "\(response)"
    }
    each(
        OffsetFetchRequest(groups: [.init(groupID: "probe-simple", topics: [.init(name: topic, partitionIndexes: [0])])]
        )
    ) {
        response,
        _ in
        response.groups.first?.topics.first?.partitions.first?.committedOffset == 1 ? nil : "\(response)"
    }
    each(SaslHandshakeRequest(mechanism: "PLAIN")) { _, _ in nil }
    each(SaslAuthenticateRequest(authBytes: ByteBuffer(string: "\0user\0pass"))) { _, _ in nil }
    each(DeleteTopicsRequest(topicNames: ["probe-missing-topic"], timeoutMs: 1000)) { _, _ in nil }
    _ = negotiated
    print("checked \(checked) API versions against \(host):\(port), \(failures) failed")
}

let arguments = CommandLine.arguments
if arguments.count == 2 && arguments[1] == "crc" {
    crcThroughput()
} else if arguments.count == 3, let port = UInt16(arguments[2]) {
    do { try probe(host: arguments[1], port: port) } catch { print("probe failed: \(error)") }
} else {
    print("usage: KafkaProbe crc | KafkaProbe HOST PORT")
}
