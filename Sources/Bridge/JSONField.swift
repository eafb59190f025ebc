import Foundation

/// Reads one field of a JSON object payload, for `${payload.NAME}` (MQTT → Kafka) and
/// `${value.NAME}` (Kafka → MQTT) templates.
enum JSONField {
    static func value(of field: String, in payload: [UInt8]) -> String? {
        value(atPath: [field], in: payload)
    }

    /// The field at `path` (object keys, outermost first): strings as they are, numbers and
    /// booleans as written; nil when the payload is not a JSON object, the path leads nowhere, or
    /// the value there is an object, an array or null.
    static func value(atPath path: [String], in payload: [UInt8]) -> String? {
        guard var current = try? JSONSerialization.jsonObject(with: Data(payload)) else { return nil }
        for key in path {
            guard let object = current as? [String: Any], let next = object[key] else { return nil }
            current = next
        }
        switch current {
        case let string as String:
            return string
        case let number as NSNumber:
            return number.stringValue
        default:
            return nil
        }
    }
}
