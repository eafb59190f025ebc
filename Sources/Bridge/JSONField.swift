import Foundation

/// Reads one top-level field of a JSON object payload, for `${payload.NAME}` key templates.
enum JSONField {
    static func value(of field: String, in payload: [UInt8]) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload)) as? [String: Any],
            let value = object[field]
        else { return nil }
        switch value {
        case let string as String:
            return string
        case let number as NSNumber:
            return number.stringValue
        default:
            return nil
        }
    }
}
