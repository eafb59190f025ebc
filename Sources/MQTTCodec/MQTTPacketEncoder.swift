import NIOCore

extension ByteBuffer {
    /// Appends one packet in the wire format of `version`.
    ///
    /// Throws when the packet cannot be expressed in that version (AUTH in 3.1.1, for example) or
    /// breaks a rule the encoder can check (a QoS > 0 PUBLISH without packet identifier).
    public mutating func writeMQTTPacket(_ packet: MQTTPacket, version: MQTTProtocolVersion) throws(MQTTCodecError) {
        fatalError("not yet implemented")
    }
}

/// A `MessageToByteEncoder` for use in a channel pipeline.
public struct MQTTPacketEncoder: MessageToByteEncoder, Sendable {
    public typealias OutboundIn = MQTTPacket

    public var protocolVersion: MQTTProtocolVersion

    public init(protocolVersion: MQTTProtocolVersion) {
        self.protocolVersion = protocolVersion
    }

    public func encode(data: MQTTPacket, out: inout ByteBuffer) throws {
        try out.writeMQTTPacket(data, version: protocolVersion)
    }
}
