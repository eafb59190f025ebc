/// What `tributary bench --idle-connections` reports once every attempt has finished.
struct IdleResult: Codable, Sendable, Equatable {
    /// Connections asked for.
    var requested: Int
    /// Connections whose CONNACK accepted them; they stay open while held.
    var connected: Int
    /// Attempts that were refused, timed out or could not open a socket.
    var failed: Int
    /// Seconds from the first attempt to the last one finishing.
    var connectSeconds: Double

    var summary: String {
        let seconds = (connectSeconds * 100).rounded() / 100
        return "connected \(connected) of \(requested) (failed \(failed)) in \(seconds) s"
    }
}
