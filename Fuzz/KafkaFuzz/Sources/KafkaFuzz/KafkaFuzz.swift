import CKafkaFuzzEntry
import KafkaProtocol
import NIOCore

// libFuzzer entry point. The first input byte picks the API, the second the version (within the
// versions we implement), the rest is a response body. Odd first bytes route the body to the
// record-batch decoder instead. Decoding may fail (that is the point); it must not crash, leak or
// hang. When decoding succeeds, the oracle re-encodes and decodes again and requires the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: start, count: count)
    guard bytes.count >= 2 else { return 0 }
    let body = ByteBuffer(bytes: bytes.dropFirst(2))
    if bytes[0] & 1 == 1 {
        fuzzRecords(body)
    } else {
        fuzzResponse(selector: bytes[0] >> 1, versionByte: bytes[1], body: body)
    }
    return 0
}

private func fuzzResponse(selector: UInt8, versionByte: UInt8, body: ByteBuffer) {
    let apiKey = APIKey.implemented[Int(selector) % APIKey.implemented.count]
    let versions = apiKey.implementedVersions!
    let version = versions.lowerBound + Int16(Int(versionByte) % versions.count)
    guard let response = try? KafkaResponse.decode(apiKey: apiKey, version: version, body: body) else { return }
    var reencoded = ByteBuffer()
    do {
        try response.encode(into: &reencoded, version: version)
    } catch {
        fatalError("\(apiKey) v\(version): decoded but cannot re-encode: \(error)")
    }
    let again: KafkaResponse
    do {
        again = try KafkaResponse.decode(apiKey: apiKey, version: version, body: reencoded)
    } catch {
        fatalError("\(apiKey) v\(version): re-encoded bytes do not decode: \(error)")
    }
    precondition(again == response, "\(apiKey) v\(version): round trip changed the value")
}

private func fuzzRecords(_ body: ByteBuffer) {
    let options = RecordDecodingOptions(maximumDecompressedSize: 1 << 20, verifyChecksums: body.readableBytes % 2 == 0)
    guard let decoded = try? RecordBatch.decodeAll(from: body, options: options) else { return }
    for batch in decoded.batches where batch.magic == 2 {
        var encoded = ByteBuffer()
        do {
            try batch.encode(into: &encoded)
            let again = try RecordBatch.decode(from: encoded, options: options)
            precondition(again == batch, "record batch round trip changed the value")
        } catch {
            fatalError("a decoded batch does not round-trip: \(error)")
        }
    }
}
