import NIOCore

// The durable store keeps the forwarded properties of a message in their wire encoding: it is
// compact, already tested, and stays readable as long as the protocol does.

extension ByteBuffer {
    /// Writes `properties` as a PUBLISH carries them (Property Length, then each property).
    @discardableResult
    public mutating func writeStoredMQTTProperties(_ properties: MQTTProperties) -> Int {
        writeMQTTProperties(properties)
    }
}

extension MQTTProperties {
    /// Reads what `writeStoredMQTTProperties` wrote, with the validation a PUBLISH gets.
    public static func readStored(from buffer: inout ByteBuffer) throws(MQTTCodecError) -> MQTTProperties {
        try read(from: &buffer, in: .publish)
    }
}
