// Topics are compared and hashed as raw UTF-8 bytes: MQTT-4.7.3-4 forbids any normalization, so
// Swift's `String ==` (canonical equivalence) is not the right equality for them.

/// The bytes of the characters that have a meaning in topics (MQTT 5.0 §4.7.1).
enum TopicByte {
    /// The level separator.
    static let slash = UInt8(ascii: "/")
    /// The single-level wildcard.
    static let plus = UInt8(ascii: "+")
    /// The multi-level wildcard.
    static let hash = UInt8(ascii: "#")
    /// The first character of server-internal topics such as `$SYS/…` (§4.7.2).
    static let dollar = UInt8(ascii: "$")
    /// U+0000, not allowed in any UTF-8 string of the protocol (MQTT-4.7.3-2).
    static let null: UInt8 = 0
}

extension StringProtocol {
    /// Calls `body` with the UTF-8 bytes of `self` in contiguous memory, without copying native
    /// strings.
    @inline(__always)
    func withUTF8Bytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let result = try utf8.withContiguousStorageIfAvailable(body) {
            return result
        }
        // Only foreign (bridged) strings get here; native and small strings are contiguous UTF-8.
        return try ContiguousArray(utf8).withUnsafeBufferPointer(body)
    }
}

/// Whether two strings hold exactly the same UTF-8 bytes.
@inline(__always)
func utf8BytesEqual(_ lhs: some StringProtocol, _ rhs: some StringProtocol) -> Bool {
    guard lhs.utf8.count == rhs.utf8.count else { return false }
    return lhs.withUTF8Bytes { left in
        rhs.withUTF8Bytes { right in left.elementsEqual(right) }
    }
}

/// A topic or topic level as a dictionary key: hashed and compared by its UTF-8 bytes.
///
/// Lookups wrap a `Substring` of the topic being routed, so finding a child costs no allocation.
struct TopicKey: Hashable, Sendable {
    var text: Substring

    @inline(__always)
    init(_ text: Substring) { self.text = text }

    /// A key that owns exactly its bytes, so a stored key does not keep a longer string alive.
    init(copying text: some StringProtocol) { self.text = Substring(String(text)) }

    @inline(__always)
    func hash(into hasher: inout Hasher) {
        text.withUTF8Bytes { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    @inline(__always)
    static func == (lhs: Self, rhs: Self) -> Bool { utf8BytesEqual(lhs.text, rhs.text) }
}
