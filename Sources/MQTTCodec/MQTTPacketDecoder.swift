import NIOCore

/// Decodes MQTT control packets from a byte stream.
///
/// Run it with `NIOSingleStepByteToMessageProcessor` inside the connection handler. Until the
/// protocol version is known (`protocolVersion == nil`) only CONNECT is accepted; a server-role
/// decoder learns the version from that CONNECT.
public struct MQTTPacketDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = MQTTPacket

    /// Which side of the connection decodes: a server decodes what clients send.
    public enum Role: Sendable, Hashable {
        case server
        case client
    }

    /// The largest packet the spec allows: 1 byte header, 4 bytes remaining length, 268,435,455 body.
    public static let protocolMaximumPacketSize = 1 + 4 + 268_435_455

    public let role: Role
    public var protocolVersion: MQTTProtocolVersion?
    /// Packets larger than this (whole packet, fixed header included) are rejected with 0x95
    /// as soon as the fixed header is read, before the body is buffered (MQTT 5.0 §3.1.2.11.4).
    public var maximumPacketSize: Int

    public init(
        role: Role,
        protocolVersion: MQTTProtocolVersion? = nil,
        maximumPacketSize: Int = Self.protocolMaximumPacketSize
    ) {
        self.role = role
        self.protocolVersion = protocolVersion
        self.maximumPacketSize = maximumPacketSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> MQTTPacket? {
        fatalError("not yet implemented")
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> MQTTPacket? {
        try decode(buffer: &buffer)
    }
}
