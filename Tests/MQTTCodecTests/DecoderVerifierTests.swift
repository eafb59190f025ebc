import MQTTCodec
import NIOCore
import NIOTestUtils
import Testing

/// `ByteToMessageDecoderVerifier` feeds each input whole, drip-fed a byte at a time, and many
/// inputs at once, in shuffled order, through one decoder in a `ByteToMessageHandler`.
/// `MQTTPacketDecoder` is a `NIOSingleStepByteToMessageDecoder`, which refines
/// `ByteToMessageDecoder`, so it goes in as it is. The decoders start with a known version, since
/// the verifier shuffles the CONNECT among the other packets.
@Suite("ByteToMessageDecoderVerifier")
struct DecoderVerifierTests {
    static func pairs(_ packets: [MQTTPacket], _ version: MQTTProtocolVersion) throws -> [(ByteBuffer, [MQTTPacket])] {
        var pairs = try zip(SamplePackets.encoded(packets, version), packets).map { ($0, [$1]) }
        // Several packets in one input, and an input that ends inside the next packet's fixed header
        // continued by the one after.
        var combined = ByteBuffer()
        for buffer in try SamplePackets.encoded(packets, version) { combined.writeImmutableBuffer(buffer) }
        pairs.append((combined, packets))
        return pairs
    }

    @Test("Server role: what clients send", arguments: MQTTProtocolVersion.allCases)
    func serverRole(version: MQTTProtocolVersion) throws {
        let pairs = try Self.pairs(SamplePackets.fromClient(version), version)
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            MQTTPacketDecoder(role: .server, protocolVersion: version)
        }
    }

    @Test("Client role: what servers send", arguments: MQTTProtocolVersion.allCases)
    func clientRole(version: MQTTProtocolVersion) throws {
        let pairs = try Self.pairs(SamplePackets.fromServer(version), version)
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            MQTTPacketDecoder(role: .client, protocolVersion: version)
        }
    }

    @Test("NIOSingleStepByteToMessageProcessor hands out every packet of a stream split anywhere")
    func processor() throws {
        let packets = SamplePackets.fromClient(.v5)
        var stream = ByteBuffer()
        for buffer in try SamplePackets.encoded(packets, .v5) { stream.writeImmutableBuffer(buffer) }
        for chunkSize in [1, 2, 3, 7, 64, stream.readableBytes] {
            let processor = NIOSingleStepByteToMessageProcessor(MQTTPacketDecoder(role: .server))
            var received: [MQTTPacket] = []
            var rest = stream
            while let chunk = rest.readSlice(length: min(chunkSize, rest.readableBytes)), chunk.readableBytes > 0 {
                try processor.process(buffer: chunk) { received.append($0) }
            }
            #expect(received == packets, "chunk size \(chunkSize)")
        }
    }
}
