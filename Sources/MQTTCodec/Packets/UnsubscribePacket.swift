/// UNSUBSCRIBE (MQTT 5.0 §3.10, MQTT 3.1.1 §3.10). Never empty (§3.10.3-2).
public struct UnsubscribePacket: Sendable, Hashable {
    public var packetID: UInt16
    public var topicFilters: [String]
    public var properties: MQTTProperties

    public init(packetID: UInt16, topicFilters: [String], properties: MQTTProperties = []) {
        self.packetID = packetID
        self.topicFilters = topicFilters
        self.properties = properties
    }
}
