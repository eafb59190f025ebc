import MQTTCodec
import NIOCore
import Testing

@Suite("Encoder")
struct EncoderTests {
    @Test(
        "encodedSize is the number of bytes written, for every sample packet",
        arguments: MQTTProtocolVersion.allCases
    )
    func encodedSize(version: MQTTProtocolVersion) throws {
        for packet in SamplePackets.fromClient(version) + SamplePackets.fromServer(version) {
            var buffer = ByteBuffer()
            try buffer.writeMQTTPacket(packet, version: version)
            #expect(buffer.readableBytes == packet.encodedSize(version: version), "\(packet.type)")
        }
    }

    @Test("Packets are appended after what the buffer holds")
    func appends() throws {
        var buffer = ByteBuffer(bytes: [0xAA])
        try buffer.writeMQTTPacket(.pingreq, version: .v5)
        try buffer.writeMQTTPacket(.puback(PublishFlowPacket(packetID: 1)), version: .v5)
        #expect(buffer.bytes == [0xAA, 0xC0, 0x00, 0x40, 0x02, 0x00, 0x01])
    }

    @Test("MQTTPacketEncoder writes in its protocol version")
    func messageToByteEncoder() throws {
        let packet = MQTTPacket.connack(ConnAckPacket(reasonCode: .notAuthorized))
        var out = ByteBuffer()
        try MQTTPacketEncoder(protocolVersion: .v3_1_1).encode(data: packet, out: &out)
        #expect(out.bytes == [0x20, 0x02, 0x00, 0x05])
        out.clear()
        try MQTTPacketEncoder(protocolVersion: .v5).encode(data: packet, out: &out)
        #expect(out.bytes == [0x20, 0x03, 0x00, 0x87, 0x00])
        #expect(throws: MQTTCodecError.self) {
            try MQTTPacketEncoder(protocolVersion: .v3_1_1).encode(data: .auth(AuthPacket()), out: &out)
        }
    }

    @Test("A decoded stream re-encodes to the same bytes", arguments: MQTTProtocolVersion.allCases)
    func byteStability(version: MQTTProtocolVersion) throws {
        for (role, packets) in [
            (MQTTPacketDecoder.Role.server, SamplePackets.fromClient(version)),
            (.client, SamplePackets.fromServer(version)),
        ] {
            var stream = ByteBuffer()
            for buffer in try SamplePackets.encoded(packets, version) { stream.writeImmutableBuffer(buffer) }
            let original = stream
            var decoder = MQTTPacketDecoder(role: role, protocolVersion: role == .client ? version : nil)
            var again = ByteBuffer()
            while let packet = try decoder.decodePacket(from: &stream) {
                try again.writeMQTTPacket(packet, version: version)
            }
            #expect(stream.readableBytes == 0)
            #expect(again == original)
        }
    }
}
