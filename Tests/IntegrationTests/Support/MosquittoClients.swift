import Foundation

/// Mosquitto's command-line clients as independent MQTT peers.
enum MosquittoClients {
    enum Version: String {
        case v311 = "mqttv311"
        case v5 = "mqttv5"
        case v31 = "mqttv31"
    }

    /// One received message, from the `-F` format `subscribe` asks for.
    struct Message: Equatable, CustomStringConvertible {
        var topic: String
        var qos: Int
        var retain: Bool
        var payload: String
        var contentType: String
        var messageExpiry: String
        var userProperties: String
        var responseTopic: String
        var correlationData: String
        var subscriptionIdentifier: String

        init?(line: String) {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 11, fields[0] == "MSG" else { return nil }
            topic = fields[1]
            qos = Int(fields[2]) ?? -1
            retain = fields[3] == "1"
            payload = String(decoding: Self.bytes(fromHex: fields[4]), as: UTF8.self)
            contentType = fields[5]
            messageExpiry = fields[6]
            userProperties = fields[7]
            responseTopic = fields[8]
            correlationData = fields[9]
            subscriptionIdentifier = fields[10]
        }

        var description: String { "\(topic) q\(qos) r\(retain ? 1 : 0) \(payload)" }

        private static func bytes(fromHex hex: String) -> [UInt8] {
            var bytes: [UInt8] = []
            var index = hex.startIndex
            while index != hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
                bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
                index = next
            }
            return bytes
        }
    }

    /// Starts `mosquitto_sub` and waits until its SUBACK arrived, so messages published after
    /// this returns are delivered.
    static func subscribe(
        port: Int,
        topics: [String],
        version: Version = .v311,
        qos: Int = 0,
        count: Int? = nil,
        clientID: String? = nil,
        cleanSession: Bool = true,
        extra: [String] = []
    ) async throws -> PeerProcess {
        var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-V", version.rawValue, "-q", "\(qos)", "-d"]
        arguments += ["-F", #"MSG\t%t\t%q\t%r\t%x\t%C\t%E\t%P\t%R\t%D\t%S"#]
        for topic in topics { arguments += ["-t", topic] }
        if let count { arguments += ["-C", "\(count)"] }
        if let clientID { arguments += ["-i", clientID] }
        if !cleanSession { arguments += ["-c"] }
        arguments += extra
        let process = try PeerProcess.lineBuffered(Peers.mosquittoSub, arguments)
        try await process.nextLine("SUBACK") { $0.contains("received SUBACK") }
        return process
    }

    /// Waits for the next `count` messages a `subscribe` process printed.
    static func messages(
        _ count: Int,
        from process: PeerProcess,
        timeout: Duration = .seconds(20)
    ) async throws -> [Message] {
        try await process.nextLines(count, "message", timeout: timeout) { $0.hasPrefix("MSG\t") }.compactMap(
            Message.init(line:)
        )
    }

    /// Runs `mosquitto_pub` to completion and returns its exit status and output.
    @discardableResult
    static func publish(
        port: Int,
        topic: String,
        message: String,
        version: Version = .v311,
        qos: Int = 0,
        retain: Bool = false,
        extra: [String] = []
    ) async throws -> (status: Int32, output: [String]) {
        var arguments = ["-h", "127.0.0.1", "-p", "\(port)", "-V", version.rawValue, "-q", "\(qos)", "-t", topic]
        arguments += ["-m", message]
        if retain { arguments.append("-r") }
        arguments += extra
        let process = try PeerProcess(Peers.mosquittoPub, arguments)
        let status = try await process.waitForExit(timeout: .seconds(15))
        return (status, process.lines)
    }
}
