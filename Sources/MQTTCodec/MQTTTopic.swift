/// Whether a Topic Name holds a wildcard character: "The wildcard characters can be used in Topic
/// Filters, but MUST NOT be used within a Topic Name" (MQTT-4.7.0-1, MQTT-3.3.2-2).
///
/// Topic Filter syntax (wildcard placement, `$share/` names) is `BrokerCore`'s job: in 5.0 an
/// invalid filter is answered per filter in SUBACK (0x8F), not by closing the connection.
func mqttTopicHasWildcard(_ topic: String) -> Bool {
    let utf8 = topic.utf8
    let check = { (bytes: UnsafeBufferPointer<UInt8>) -> Bool in
        bytes.contains { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }
    }
    return utf8.withContiguousStorageIfAvailable(check)
        ?? utf8.contains { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") }
}
