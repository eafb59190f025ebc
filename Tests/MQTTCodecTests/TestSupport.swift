import MQTTCodec
import NIOCore
import Testing

// Helpers shared by the codec tests: hand-built wire bytes, round trips through the encoder and a
// decoder of the receiving role, and error expectations that check the exact reason code.

/// Builds wire bytes by hand, so tests do not depend on the encoder they check.
enum Wire {
    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    static func u32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    /// A minimal Variable Byte Integer (MQTT 5.0 §1.5.5), written independently of the codec.
    static func vbi(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var remaining = value
        repeat {
            var byte = UInt8(remaining % 128)
            remaining /= 128
            if remaining > 0 { byte |= 0x80 }
            bytes.append(byte)
        } while remaining > 0
        return bytes
    }

    static func string(_ string: String) -> [UInt8] { self.binary(Array(string.utf8)) }

    static func binary(_ bytes: [UInt8]) -> [UInt8] { self.u16(UInt16(bytes.count)) + bytes }

    /// A property list: Property Length, then the properties.
    static func properties(_ parts: [UInt8]...) -> [UInt8] {
        let raw = parts.flatMap { $0 }
        return self.vbi(raw.count) + raw
    }

    /// A whole packet: the first byte, the Remaining Length, the body.
    static func packet(_ firstByte: UInt8, _ parts: [UInt8]...) -> [UInt8] {
        let body = parts.flatMap { $0 }
        return [firstByte] + self.vbi(body.count) + body
    }
}

extension ByteBuffer {
    var bytes: [UInt8] { Array(self.readableBytesView) }
}

func buffer(_ string: String) -> ByteBuffer { ByteBuffer(string: string) }

/// The roles that receive `packet` in `version` (MQTT 5.0 §2.1.2, "Direction of flow").
func receivingRoles(of packet: MQTTPacket, version: MQTTProtocolVersion) -> [MQTTPacketDecoder.Role] {
    switch packet {
    case .connect, .subscribe, .unsubscribe, .pingreq: [.server]
    case .connack, .suback, .unsuback, .pingresp: [.client]
    case .puback, .pubrec, .pubrel, .pubcomp, .auth: [.server, .client]
    case .publish(let publish):
        // A client must not send Subscription Identifiers (MQTT-3.3.4-6).
        publish.properties.subscriptionIdentifiers.isEmpty ? [.server, .client] : [.client]
    case .disconnect(let disconnect):
        // A server must not send Session Expiry Interval (MQTT-3.14.2-2); 3.1.1 servers send none.
        if version < .v5 || disconnect.properties.sessionExpiryInterval != nil {
            [.server]
        } else {
            [.server, .client]
        }
    }
}

/// Encodes `packet`, then decodes it with a decoder of every receiving role, and expects `expected`
/// (by default the packet itself). Also checks `encodedSize` against the bytes written.
@discardableResult
func expectRoundTrip(
    _ packet: MQTTPacket,
    version: MQTTProtocolVersion,
    expected: MQTTPacket? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> ByteBuffer {
    var encoded = ByteBuffer()
    try encoded.writeMQTTPacket(packet, version: version)
    #expect(encoded.readableBytes == packet.encodedSize(version: version), sourceLocation: sourceLocation)
    for role in receivingRoles(of: packet, version: version) {
        let isConnect = packet.type == .connect
        var decoder = MQTTPacketDecoder(role: role, protocolVersion: isConnect ? nil : version)
        var input = encoded
        let decoded = try decoder.decodePacket(from: &input)
        #expect(decoded == (expected ?? packet), "decoded as \(role)", sourceLocation: sourceLocation)
        #expect(input.readableBytes == 0, sourceLocation: sourceLocation)
        if isConnect {
            #expect(decoder.protocolVersion == version, sourceLocation: sourceLocation)
        }
    }
    return encoded
}

/// Decodes `bytes` as one packet and returns what the decoder threw, recording an issue when it
/// did not throw.
func decodeError(
    _ bytes: [UInt8],
    role: MQTTPacketDecoder.Role = .server,
    version: MQTTProtocolVersion? = .v5,
    maximumPacketSize: Int = MQTTPacketDecoder.protocolMaximumPacketSize,
    sourceLocation: SourceLocation = #_sourceLocation
) -> MQTTCodecError? {
    var decoder = MQTTPacketDecoder(role: role, protocolVersion: version, maximumPacketSize: maximumPacketSize)
    var input = ByteBuffer(bytes: bytes)
    do throws(MQTTCodecError) {
        let packet = try decoder.decodePacket(from: &input)
        Issue.record("expected an error, decoded \(String(describing: packet))", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Expects decoding `bytes` to fail with `reasonCode` (and `packetType`, when given).
func expectDecodeError(
    _ bytes: [UInt8],
    _ reasonCode: MQTTReasonCode,
    packetType: MQTTPacketType? = nil,
    role: MQTTPacketDecoder.Role = .server,
    version: MQTTProtocolVersion? = .v5,
    maximumPacketSize: Int = MQTTPacketDecoder.protocolMaximumPacketSize,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard
        let error = decodeError(
            bytes,
            role: role,
            version: version,
            maximumPacketSize: maximumPacketSize,
            sourceLocation: sourceLocation
        )
    else { return }
    #expect(error.reasonCode == reasonCode, "\(error)", sourceLocation: sourceLocation)
    if let packetType {
        #expect(error.packetType == packetType, "\(error)", sourceLocation: sourceLocation)
    }
}

/// Decodes `bytes` as exactly one packet.
func decodeOne(
    _ bytes: [UInt8],
    role: MQTTPacketDecoder.Role = .server,
    version: MQTTProtocolVersion? = .v5
) throws -> MQTTPacket? {
    var decoder = MQTTPacketDecoder(role: role, protocolVersion: version)
    var input = ByteBuffer(bytes: bytes)
    let packet = try decoder.decodePacket(from: &input)
    #expect(input.readableBytes == 0)
    return packet
}

/// Returns what `writeMQTTPacket` threw, recording an issue when it did not throw, and checks
/// that nothing was written.
func encodeError(
    _ packet: MQTTPacket,
    version: MQTTProtocolVersion,
    sourceLocation: SourceLocation = #_sourceLocation
) -> MQTTCodecError? {
    var output = ByteBuffer()
    do throws(MQTTCodecError) {
        try output.writeMQTTPacket(packet, version: version)
        Issue.record("expected an error, wrote \(output.bytes)", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(output.readableBytes == 0, "a failed write left bytes behind", sourceLocation: sourceLocation)
        return error
    }
}

func expectEncodeError(
    _ packet: MQTTPacket,
    version: MQTTProtocolVersion,
    _ reasonCode: MQTTReasonCode,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let error = encodeError(packet, version: version, sourceLocation: sourceLocation) else { return }
    #expect(error.reasonCode == reasonCode, "\(error)", sourceLocation: sourceLocation)
    #expect(error.packetType == packet.type, "\(error)", sourceLocation: sourceLocation)
}

/// A deterministic generator for the garbage-input tests (SplitMix64), so a failure reproduces.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
