import Foundation

/// A client identifier or topic prefix no other test uses.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}
