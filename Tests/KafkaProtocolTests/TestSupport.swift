import Foundation
import KafkaProtocol
import NIOCore
import Testing

extension ByteBuffer {
    /// A buffer from hex digits; whitespace is ignored.
    init(hex: String) {
        let digits = hex.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }
        var bytes: [UInt8] = []
        var high: UInt8?
        for scalar in digits {
            let value = UInt8(String(scalar), radix: 16)!
            if let first = high {
                bytes.append(first << 4 | value)
                high = nil
            } else {
                high = value
            }
        }
        self.init(bytes: bytes)
    }

    var hexString: String {
        self.readableBytesView.map { String(format: "%02x", $0) }.joined()
    }
}

/// Encodes `message` at `version`, decodes it, encodes again: the bytes must match and the
/// decoder must consume everything. Returns the decoded copy.
@discardableResult
func assertStableRoundTrip<Message: KafkaMessage>(
    _ message: Message,
    version: Int16,
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> Message {
    let encoded = try message.encoded(version: version)
    let decoded = try Message.decode(from: encoded, version: version)
    let reencoded = try decoded.encoded(version: version)
    #expect(encoded == reencoded, "\(Message.self) v\(version) re-encodes differently", sourceLocation: sourceLocation)
    return decoded
}

/// Every version of `Message`'s API that we implement.
func implementedVersions<Message: KafkaMessage>(of _: Message.Type) -> [Int16] {
    Array(Message.apiKey.implementedVersions!)
}

func buffer(_ string: String) -> ByteBuffer {
    ByteBuffer(string: string)
}

/// A small deterministic generator (SplitMix64) so random-input tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Hex digits with the spaces (used to group fields in expectations) removed.
func hex(_ grouped: String) -> String {
    grouped.filter { !$0.isWhitespace }
}
