import NIOCore

extension ByteBuffer {
    /// Appends one packet in the wire format of `version`.
    ///
    /// Throws when the packet cannot be expressed in that version (AUTH in 3.1.1, a PUBACK with a
    /// failure reason code in 3.1.1, a CONNACK reason code without a 3.1.1 return code) or breaks a
    /// rule the encoder can check (a QoS > 0 PUBLISH without packet identifier, a property not
    /// allowed in the packet, a string longer than 65,535 bytes): the same checks the decoder makes,
    /// so whatever this writes, `MQTTPacketDecoder` reads back. On a throw nothing is written.
    ///
    /// What 3.1/3.1.1 cannot carry and loses no meaning is left out without an error: properties
    /// (a 5.0 PUBLISH forwarded to a 3.1.1 subscriber), UNSUBACK reason codes, and SUBACK failure
    /// codes other than 0x80, which become 0x80.
    public mutating func writeMQTTPacket(_ packet: MQTTPacket, version: MQTTProtocolVersion) throws(MQTTCodecError) {
        do throws(MQTTCodecError) {
            try packet.validate(version: version)
        } catch {
            throw error.inPacket(packet.type)
        }
        let remainingLength = packet.remainingLength(version: version)
        try Self.checkRemainingLength(remainingLength, packet.type)
        self.reserveCapacity(
            minimumWritableBytes: 1 + Self.mqttVariableByteIntegerLength(remainingLength) + remainingLength
        )
        self.writeInteger(packet.type.rawValue << 4 | packet.fixedHeaderFlags)
        self.writeMQTTVariableByteInteger(remainingLength)
        packet.writeBody(to: &self, version: version)
    }

    /// Appends the fixed and variable header of a PUBLISH, but not its payload, and returns the
    /// number of bytes written.
    ///
    /// The Remaining Length counts the payload, which the caller writes next, for example as a
    /// separate `write` of the same buffer to every subscriber (the channel gathers both into one
    /// `writev`), so a large payload fanned out to many sessions is never copied.
    @discardableResult
    public mutating func writeMQTTPublishHeader(
        _ packet: PublishPacket,
        version: MQTTProtocolVersion
    ) throws(MQTTCodecError) -> Int {
        do throws(MQTTCodecError) {
            try packet.validate(version: version)
        } catch {
            throw error.inPacket(.publish)
        }
        let remainingLength = packet.remainingLength(version: version)
        try Self.checkRemainingLength(remainingLength, .publish)
        let start = self.writerIndex
        self.writeInteger(MQTTPacketType.publish.rawValue << 4 | packet.fixedHeaderFlags)
        self.writeMQTTVariableByteInteger(remainingLength)
        packet.writeVariableHeader(to: &self, version: version)
        return self.writerIndex - start
    }

    private static func checkRemainingLength(_ remainingLength: Int, _ type: MQTTPacketType) throws(MQTTCodecError) {
        // §2.1.4: the Remaining Length is a Variable Byte Integer, at most 268,435,455.
        guard remainingLength <= MQTTLimits.maximumVariableByteInteger else {
            throw MQTTCodecError(
                reasonCode: .packetTooLarge,
                detail: "Remaining Length \(remainingLength) exceeds 268,435,455 (MQTT 5.0 §2.1.4)",
                packetType: type
            )
        }
    }
}

extension MQTTPacket {
    /// The number of bytes `writeMQTTPacket(_:version:)` writes for this packet, fixed header
    /// included: the "packet size" that MQTT 5.0 §2.1.4 compares with a peer's Maximum Packet Size
    /// (a server MUST NOT send larger packets, MQTT-3.1.2-24).
    ///
    /// Computed from the fields' lengths without writing or validating anything; a packet that
    /// `writeMQTTPacket` refuses has a size too, but it is never sent.
    public func encodedSize(version: MQTTProtocolVersion) -> Int {
        let remainingLength = self.remainingLength(version: version)
        return 1 + ByteBuffer.mqttVariableByteIntegerLength(remainingLength) + remainingLength
    }

    func validate(version: MQTTProtocolVersion) throws(MQTTCodecError) {
        switch self {
        case .connect(let packet): try packet.validate(version: version)
        case .connack(let packet): try packet.validate(version: version)
        case .publish(let packet): try packet.validate(version: version)
        case .puback(let packet): try packet.validate(type: .puback, version: version)
        case .pubrec(let packet): try packet.validate(type: .pubrec, version: version)
        case .pubrel(let packet): try packet.validate(type: .pubrel, version: version)
        case .pubcomp(let packet): try packet.validate(type: .pubcomp, version: version)
        case .subscribe(let packet): try packet.validate(version: version)
        case .suback(let packet): try packet.validate(version: version)
        case .unsubscribe(let packet): try packet.validate(version: version)
        case .unsuback(let packet): try packet.validate(version: version)
        case .pingreq, .pingresp: break
        case .disconnect(let packet): try packet.validate(version: version)
        case .auth(let packet): try packet.validate(version: version)
        }
    }

    func remainingLength(version: MQTTProtocolVersion) -> Int {
        switch self {
        case .connect(let packet): packet.remainingLength(version: version)
        case .connack(let packet): packet.remainingLength(version: version)
        case .publish(let packet): packet.remainingLength(version: version)
        case .puback(let packet), .pubrec(let packet), .pubrel(let packet), .pubcomp(let packet):
            packet.remainingLength(version: version)
        case .subscribe(let packet): packet.remainingLength(version: version)
        case .suback(let packet): packet.remainingLength(version: version)
        case .unsubscribe(let packet): packet.remainingLength(version: version)
        case .unsuback(let packet): packet.remainingLength(version: version)
        case .pingreq, .pingresp: 0
        case .disconnect(let packet): packet.remainingLength(version: version)
        case .auth(let packet): packet.remainingLength(version: version)
        }
    }

    /// Bits 3-0 of the fixed header (MQTT 5.0 §2.1.3, Table 2-2).
    var fixedHeaderFlags: UInt8 {
        switch self {
        case .publish(let packet): packet.fixedHeaderFlags
        case .pubrel, .subscribe, .unsubscribe: 0b0010
        case .connect, .connack, .puback, .pubrec, .pubcomp, .suback, .unsuback, .pingreq, .pingresp, .disconnect,
            .auth:
            0
        }
    }

    func writeBody(to buffer: inout ByteBuffer, version: MQTTProtocolVersion) {
        switch self {
        case .connect(let packet): packet.writeBody(to: &buffer, version: version)
        case .connack(let packet): packet.writeBody(to: &buffer, version: version)
        case .publish(let packet): packet.writeBody(to: &buffer, version: version)
        case .puback(let packet), .pubrec(let packet), .pubrel(let packet), .pubcomp(let packet):
            packet.writeBody(to: &buffer, version: version)
        case .subscribe(let packet): packet.writeBody(to: &buffer, version: version)
        case .suback(let packet): packet.writeBody(to: &buffer, version: version)
        case .unsubscribe(let packet): packet.writeBody(to: &buffer, version: version)
        case .unsuback(let packet): packet.writeBody(to: &buffer, version: version)
        case .pingreq, .pingresp: break
        case .disconnect(let packet): packet.writeBody(to: &buffer, version: version)
        case .auth(let packet): packet.writeBody(to: &buffer, version: version)
        }
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
