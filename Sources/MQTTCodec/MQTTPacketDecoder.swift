import NIOCore

/// Decodes MQTT control packets from a byte stream.
///
/// Run it with `NIOSingleStepByteToMessageProcessor` inside the connection handler. Until the
/// protocol version is known (`protocolVersion == nil`) only CONNECT is accepted; a server-role
/// decoder learns the version from that CONNECT. A client-role decoder must be created with the
/// version the client puts in its CONNECT.
///
/// The decoder is strict: every violation of the specification it can see in a single packet
/// throws an ``MQTTCodecError`` carrying the MQTT 5.0 reason code to report (0x81 Malformed Packet,
/// 0x82 Protocol Error, 0x84 Unsupported Protocol Version, 0x90 Topic Name invalid, 0x94 Topic
/// Alias invalid, 0x95 Packet too large). Rules that need connection state (a second CONNECT,
/// Topic Alias mappings, Receive Maximum, packet identifiers in use) are the broker's job.
///
/// Payloads (PUBLISH payload, Will payload, password, Binary Data properties) are slices of the
/// input buffer, not copies. A slice keeps the whole underlying storage alive, so code that keeps
/// a payload for long (a retained message, an offline queue) may want to copy it.
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
    /// The version packets are decoded in. A server-role decoder sets it from the first CONNECT it
    /// decodes; later CONNECTs (a Protocol Error the broker reports, MQTT-3.1.0-2) do not change it.
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
        try self.decodePacket(from: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> MQTTPacket? {
        try self.decodePacket(from: &buffer)
    }

    /// Decodes one packet, or returns `nil` without consuming anything when the packet is not
    /// complete yet.
    public mutating func decodePacket(from buffer: inout ByteBuffer) throws(MQTTCodecError) -> MQTTPacket? {
        let start = buffer.readerIndex
        guard let firstByte = buffer.getInteger(at: start, as: UInt8.self) else {
            return nil
        }
        let header = try MQTTFixedHeader(validating: firstByte, role: self.role, version: self.protocolVersion)

        // Remaining Length (§2.1.4): a Variable Byte Integer of at most four bytes.
        let remainingLength: Int
        let lengthBytes: Int
        do throws(MQTTCodecError) {
            guard let (value, length) = try buffer.getMQTTVariableByteInteger(at: start + 1) else {
                return nil
            }
            (remainingLength, lengthBytes) = (value, length)
        } catch {
            throw error.inPacket(header.type)
        }

        // Enforce the size limit now, before waiting for a body we would refuse anyway: a peer
        // cannot make us buffer up to 256 MB by announcing a large packet (MQTT 5.0 §3.1.2.11.4,
        // §3.2.2.3.6: "this is a Protocol Error, [...] use DISCONNECT with Reason Code 0x95").
        let packetSize = 1 + lengthBytes + remainingLength
        guard packetSize <= self.maximumPacketSize else {
            throw MQTTCodecError(
                reasonCode: .packetTooLarge,
                detail: "packet of \(packetSize) bytes exceeds the maximum packet size of \(self.maximumPacketSize)",
                packetType: header.type
            )
        }

        guard var body = buffer.getSlice(at: start + 1 + lengthBytes, length: remainingLength) else {
            return nil
        }
        buffer.moveReaderIndex(forwardBy: packetSize)

        do throws(MQTTCodecError) {
            let packet = try self.decodeBody(&body, header: header)
            guard body.readableBytes == 0 else {
                throw MQTTCodecError.malformed(
                    "\(body.readableBytes) bytes left over after the packet's last field (MQTT 5.0 §2.1.4)"
                )
            }
            return packet
        } catch {
            throw error.inPacket(header.type)
        }
    }

    private mutating func decodeBody(
        _ body: inout ByteBuffer,
        header: MQTTFixedHeader
    ) throws(MQTTCodecError)
        -> MQTTPacket
    {
        if header.type == .connect {
            // A CONNECT announces its own version; it is decoded in that version whatever the
            // decoder was told before.
            let connect = try ConnectPacket.decode(from: &body)
            if self.role == .server && self.protocolVersion == nil {
                self.protocolVersion = connect.protocolVersion
            }
            return .connect(connect)
        }
        // The fixed header check lets nothing else through before the version is known.
        guard let version = self.protocolVersion else {
            preconditionFailure("MQTTFixedHeader admitted \(header.type) without a protocol version")
        }
        switch header.type {
        case .connect:
            preconditionFailure("handled above")
        case .connack:
            return .connack(try ConnAckPacket.decode(from: &body, version: version))
        case .publish:
            return .publish(
                try PublishPacket.decode(from: &body, flags: header.flags, version: version, role: self.role)
            )
        case .puback:
            return .puback(try PublishFlowPacket.decode(from: &body, type: .puback, version: version))
        case .pubrec:
            return .pubrec(try PublishFlowPacket.decode(from: &body, type: .pubrec, version: version))
        case .pubrel:
            return .pubrel(try PublishFlowPacket.decode(from: &body, type: .pubrel, version: version))
        case .pubcomp:
            return .pubcomp(try PublishFlowPacket.decode(from: &body, type: .pubcomp, version: version))
        case .subscribe:
            return .subscribe(try SubscribePacket.decode(from: &body, version: version))
        case .suback:
            return .suback(try SubAckPacket.decode(from: &body, version: version))
        case .unsubscribe:
            return .unsubscribe(try UnsubscribePacket.decode(from: &body, version: version))
        case .unsuback:
            return .unsuback(try UnsubAckPacket.decode(from: &body, version: version))
        case .pingreq:
            return .pingreq
        case .pingresp:
            return .pingresp
        case .disconnect:
            return .disconnect(try DisconnectPacket.decode(from: &body, version: version, role: self.role))
        case .auth:
            return .auth(try AuthPacket.decode(from: &body))
        }
    }
}
