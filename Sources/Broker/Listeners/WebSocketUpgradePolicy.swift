/// Decides what an HTTP request to a `ws`/`wss` listener gets. Pure, so it is tested without
/// sockets.
///
/// MQTT 5.0 §6 (and 3.1.1 §6): the client MUST include `mqtt` in its list of WebSocket
/// subprotocols and the server MUST select it [MQTT-6.0.0-3, -4]. `mqttv3.1` is what MQTT 3.1
/// clients offered (and what paho's older releases and Mosquitto accept), so it is accepted too.
struct WebSocketUpgradePolicy: Sendable, Hashable {
    /// Subprotocols accepted, most preferred first.
    static let subprotocols = ["mqtt", "mqttv3.1"]

    enum Decision: Sendable, Hashable {
        /// Upgrade, answering with this `Sec-WebSocket-Protocol`.
        case upgrade(subprotocol: String)
        /// 404: not the configured path.
        case notFound
        /// 400: a WebSocket upgrade on the right path that offers no MQTT subprotocol.
        case noMQTTSubprotocol
        /// 426: a plain HTTP request on the right path.
        case upgradeRequired
    }

    /// The configured `path`, e.g. `/mqtt`.
    var path: String

    /// - Parameters:
    ///   - uri: the request target; a query string is ignored.
    ///   - isWebSocketUpgrade: the request carries `Upgrade: websocket`.
    ///   - offeredSubprotocols: every `Sec-WebSocket-Protocol` header value, as sent.
    func decide(uri: String, isWebSocketUpgrade: Bool, offeredSubprotocols: [String]) -> Decision {
        let requestPath = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        guard requestPath == path else { return .notFound }
        guard isWebSocketUpgrade else { return .upgradeRequired }
        let offered = Self.parse(offeredSubprotocols)
        guard let chosen = Self.subprotocols.first(where: offered.contains) else { return .noMQTTSubprotocol }
        return .upgrade(subprotocol: chosen)
    }

    /// `Sec-WebSocket-Protocol` is a comma-separated list and may be repeated (RFC 6455 §11.3.4);
    /// subprotocol names are case-sensitive tokens.
    static func parse(_ headerValues: [String]) -> [String] {
        headerValues.flatMap { value in
            value.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        }
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
