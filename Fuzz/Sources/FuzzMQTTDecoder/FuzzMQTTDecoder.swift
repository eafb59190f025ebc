import MQTTCodec
import NIOCore

// The libFuzzer entry point: every input goes through the decoder in each role and version, whole
// and split into chunks. Any crash is a finding; so is a broken oracle, which we turn into a crash
// with `fatalError` so libFuzzer saves the input:
//
// - every packet the decoder returns re-encodes without error, `encodedSize` matches the bytes
//   written, and decoding those bytes gives back the same packet;
// - decoding never returns a packet without consuming bytes, nor more bytes than the limit allows;
// - feeding the same bytes in small chunks through `NIOSingleStepByteToMessageProcessor` yields the
//   same packets, and fails exactly when the whole-buffer decode fails.

/// The configurations the decoder runs in: a server before CONNECT, and both roles in every version.
private let configurations: [(MQTTPacketDecoder.Role, MQTTProtocolVersion?)] =
    [(.server, nil)]
    + MQTTProtocolVersion.allCases.flatMap { [(.server, $0), (.client, $0)] }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMQTTDecoder(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let input = ByteBuffer(bytes: UnsafeRawBufferPointer(start: start, count: count))
    for (role, version) in configurations {
        let whole = decodeWhole(
            input,
            role: role,
            version: version,
            maximumPacketSize: MQTTPacketDecoder.protocolMaximumPacketSize
        )
        // A small limit exercises the early "Packet too large" path.
        _ = decodeWhole(input, role: role, version: version, maximumPacketSize: 64)
        if count > 0 {
            let chunkSize = Int(input.getInteger(at: input.readerIndex, as: UInt8.self)! % 7) + 1
            let chunked = decodeChunked(input, role: role, version: version, chunkSize: chunkSize)
            guard chunked.packets == whole.packets, chunked.failed == whole.failed else {
                fatalError("chunked decoding (\(chunkSize) bytes) differs: \(chunked) vs \(whole)")
            }
        }
    }
    return 0
}

private struct Outcome: CustomStringConvertible {
    var packets: [MQTTPacket] = []
    var failed = false

    var description: String { "\(packets.map(\.type)), failed: \(failed)" }
}

private func decodeWhole(
    _ input: ByteBuffer,
    role: MQTTPacketDecoder.Role,
    version: MQTTProtocolVersion?,
    maximumPacketSize: Int
) -> Outcome {
    var decoder = MQTTPacketDecoder(role: role, protocolVersion: version, maximumPacketSize: maximumPacketSize)
    var buffer = input
    var outcome = Outcome()
    do throws(MQTTCodecError) {
        while true {
            let before = buffer.readerIndex
            guard let packet = try decoder.decodePacket(from: &buffer) else { break }
            let consumed = buffer.readerIndex - before
            guard consumed > 0, consumed <= maximumPacketSize else {
                fatalError("decoded \(packet.type) from \(consumed) bytes with a limit of \(maximumPacketSize)")
            }
            checkReencoding(packet, role: role, version: decoder.protocolVersion)
            outcome.packets.append(packet)
        }
    } catch {
        outcome.failed = true
    }
    return outcome
}

private func decodeChunked(
    _ input: ByteBuffer,
    role: MQTTPacketDecoder.Role,
    version: MQTTProtocolVersion?,
    chunkSize: Int
) -> Outcome {
    let processor = NIOSingleStepByteToMessageProcessor(MQTTPacketDecoder(role: role, protocolVersion: version))
    var rest = input
    var outcome = Outcome()
    do {
        while rest.readableBytes > 0 {
            let chunk = rest.readSlice(length: min(chunkSize, rest.readableBytes))!
            try processor.process(buffer: chunk) { outcome.packets.append($0) }
        }
    } catch {
        outcome.failed = true
    }
    return outcome
}

private func checkReencoding(_ packet: MQTTPacket, role: MQTTPacketDecoder.Role, version: MQTTProtocolVersion?) {
    var version = version
    if case .connect(let connect) = packet { version = connect.protocolVersion }
    guard let version else { fatalError("decoded \(packet.type) without knowing the protocol version") }
    var encoded = ByteBuffer()
    do throws(MQTTCodecError) {
        try encoded.writeMQTTPacket(packet, version: version)
    } catch {
        fatalError("cannot re-encode a decoded packet: \(error)\n\(packet)")
    }
    guard encoded.readableBytes == packet.encodedSize(version: version) else {
        fatalError(
            "encodedSize \(packet.encodedSize(version: version)) != \(encoded.readableBytes) bytes written\n\(packet)"
        )
    }
    var decoder = MQTTPacketDecoder(role: role, protocolVersion: packet.type == .connect ? nil : version)
    do throws(MQTTCodecError) {
        let again = try decoder.decodePacket(from: &encoded)
        guard again == packet, encoded.readableBytes == 0 else {
            fatalError("re-decoded packet differs\n\(packet)\n\(String(describing: again))")
        }
    } catch {
        fatalError("cannot decode a re-encoded packet: \(error)\n\(packet)")
    }
}
