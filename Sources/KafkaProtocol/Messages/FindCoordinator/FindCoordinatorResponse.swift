import NIOCore

/// FindCoordinator response (key 10), versions 0-5 (FindCoordinatorResponse.json, flexible 3+):
///
///     throttle_time_ms INT32 (v1+)
///     v0-3: error_code INT16, error_message NULLABLE_STRING (v1+), node_id INT32, host STRING, port INT32
///     v4+:  coordinators [key STRING, node_id INT32, host STRING, port INT32, error_code INT16,
///                         error_message NULLABLE_STRING]
///
/// Decoded into ``coordinators`` in every version (v0-3 give one entry whose key is empty).
public struct FindCoordinatorResponse: KafkaMessage {
    public static let apiKey = APIKey.findCoordinator

    public struct Coordinator: Hashable, Sendable {
        public var key: String
        public var nodeID: Int32
        public var host: String
        public var port: Int32
        public var errorCode: KafkaErrorCode
        public var errorMessage: String?

        public init(
            key: String,
            nodeID: Int32,
            host: String,
            port: Int32,
            errorCode: KafkaErrorCode = .noError,
            errorMessage: String? = nil
        ) {
            self.key = key
            self.nodeID = nodeID
            self.host = host
            self.port = port
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }
    }

    public var throttleTimeMs: Int32
    public var coordinators: [Coordinator]

    public init(throttleTimeMs: Int32 = 0, coordinators: [Coordinator]) {
        self.throttleTimeMs = throttleTimeMs
        self.coordinators = coordinators
    }

    public init(from buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        self.throttleTimeMs = version >= 1 ? try buffer.readKafkaInt32() : 0
        if version <= 3 {
            let errorCode = try buffer.readKafkaErrorCode()
            let errorMessage = version >= 1 ? try buffer.readKafkaNullableString(flexible: flexible) : nil
            self.coordinators = [
                Coordinator(
                    key: "",
                    nodeID: try buffer.readKafkaInt32(),
                    host: try buffer.readKafkaString(flexible: flexible),
                    port: try buffer.readKafkaInt32(),
                    errorCode: errorCode,
                    errorMessage: errorMessage
                )
            ]
        } else {
            self.coordinators = try buffer.readKafkaArray(flexible: flexible, minimumElementSize: 13) { buffer in
                let coordinator = Coordinator(
                    key: try buffer.readKafkaString(flexible: flexible),
                    nodeID: try buffer.readKafkaInt32(),
                    host: try buffer.readKafkaString(flexible: flexible),
                    port: try buffer.readKafkaInt32(),
                    errorCode: try buffer.readKafkaErrorCode(),
                    errorMessage: try buffer.readKafkaNullableString(flexible: flexible)
                )
                if flexible { try buffer.readKafkaTaggedFields() }
                return coordinator
            }
        }
        if flexible { try buffer.readKafkaTaggedFields() }
    }

    public func encode(into buffer: inout ByteBuffer, version: Int16) throws {
        let flexible = Self.apiKey.isFlexible(version: version)
        if version >= 1 { buffer.writeKafkaInt32(self.throttleTimeMs) }
        if version <= 3 {
            guard self.coordinators.count == 1, let coordinator = self.coordinators.first else {
                throw KafkaProtocolError(code: .invalidValue, detail: "v\(version) holds exactly one coordinator")
            }
            buffer.writeKafkaErrorCode(coordinator.errorCode)
            if version >= 1 { try buffer.writeKafkaNullableString(coordinator.errorMessage, flexible: flexible) }
            buffer.writeKafkaInt32(coordinator.nodeID)
            try buffer.writeKafkaString(coordinator.host, flexible: flexible)
            buffer.writeKafkaInt32(coordinator.port)
        } else {
            try buffer.writeKafkaArray(self.coordinators, flexible: flexible) { buffer, coordinator in
                try buffer.writeKafkaString(coordinator.key, flexible: flexible)
                buffer.writeKafkaInt32(coordinator.nodeID)
                try buffer.writeKafkaString(coordinator.host, flexible: flexible)
                buffer.writeKafkaInt32(coordinator.port)
                buffer.writeKafkaErrorCode(coordinator.errorCode)
                try buffer.writeKafkaNullableString(coordinator.errorMessage, flexible: flexible)
                if flexible { buffer.writeKafkaEmptyTaggedFields() }
            }
        }
        if flexible { buffer.writeKafkaEmptyTaggedFields() }
    }
}
