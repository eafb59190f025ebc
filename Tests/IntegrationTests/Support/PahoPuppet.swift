import Foundation

/// A paho-mqtt client in a Python process (`Tests/Peers/paho_puppet.py`), driven command by
/// command. An independent client for the cases `mosquitto_pub`/`mosquitto_sub` cannot express.
final class PahoPuppet: Sendable {
    let process: PeerProcess
    let port: Int

    private init(process: PeerProcess, port: Int) {
        self.process = process
        self.port = port
    }

    static func start(port: Int) async throws -> PahoPuppet {
        let process = try PeerProcess(Peers.python, [Peers.pahoPuppet])
        let puppet = PahoPuppet(process: process, port: port)
        _ = try await puppet.next("ready")
        return puppet
    }

    func command(_ command: JSONValue) {
        process.send(command.jsonText)
    }

    /// Waits for the next event of this kind (earlier events of other kinds are skipped).
    func next(
        _ event: String,
        timeout: Duration = .seconds(10),
        where predicate: @escaping @Sendable (JSONValue) -> Bool = { _ in true }
    )
        async throws -> JSONValue
    {
        let line = try await process.nextLine("event \(event)", timeout: timeout) { line in
            guard let value = JSONValue.parse(line), value["event"]?.string == event else { return false }
            return predicate(value)
        }
        return JSONValue.parse(line)!
    }

    /// Waits for an event printed at line `from` or later, without consuming lines: paho reports
    /// acknowledgements from its network thread, sometimes before the line of the command itself.
    func event(
        _ event: String,
        from: Int,
        timeout: Duration = .seconds(10),
        where predicate: @escaping @Sendable (JSONValue) -> Bool
    )
        async throws -> JSONValue
    {
        let index = try await process.output.waitForLine(
            from: from,
            description: "python: event \(event)",
            timeout: timeout
        ) { line in
            guard let value = JSONValue.parse(line), value["event"]?.string == event else { return false }
            return predicate(value)
        }
        return JSONValue.parse(process.lines[index])!
    }

    /// Connects and returns the CONNACK event.
    @discardableResult
    func connect(
        clientID: String,
        version: Int = 5,
        cleanStart: Bool = true,
        keepAlive: Int = 60,
        properties: JSONValue = [:],
        will: JSONValue? = nil,
        manualAck: Bool = false,
        transport: PahoTransport = .tcp
    ) async throws -> JSONValue {
        var command: [String: JSONValue] = [
            "cmd": "connect", "port": .number(port), "client_id": .string(clientID), "version": .number(version),
            "clean_start": .bool(cleanStart), "keepalive": .number(keepAlive), "properties": properties,
            "manual_ack": .bool(manualAck),
        ]
        if let will { command["will"] = will }
        command.merge(transport.commandFields) { $1 }
        self.command(.object(command))
        return try await next("connack")
    }

    /// Subscribes and returns the SUBACK's reason codes.
    @discardableResult
    func subscribe(
        _ topic: String,
        qos: Int = 0,
        noLocal: Bool = false,
        retainAsPublished: Bool = false,
        retainHandling: Int = 0,
        properties: JSONValue = [:]
    ) async throws -> [Int] {
        let start = process.lines.count
        command([
            "cmd": "subscribe", "topic": .string(topic), "qos": .number(qos), "no_local": .bool(noLocal),
            "retain_as_published": .bool(retainAsPublished), "retain_handling": .number(retainHandling),
            "properties": properties,
        ])
        // Not `next`: paho's network thread may print the SUBACK and a retained message the
        // subscription brought before the main thread prints `subscribe_sent`, and `next` would
        // consume that message on its way.
        let sent = try await event("subscribe_sent", from: start) { _ in true }
        process.consumeLines(before: start)
        let mid = sent["mid"]?.int
        let suback = try await event("suback", from: start) { $0["mid"]?.int == mid }
        return suback["reason_codes"]?.array?.compactMap(\.int) ?? []
    }

    @discardableResult
    func unsubscribe(_ topics: [String]) async throws -> [Int] {
        let start = process.lines.count
        command(["cmd": "unsubscribe", "topics": .array(topics.map { .string($0) })])
        let sent = try await next("unsubscribe_sent")
        let mid = sent["mid"]?.int
        let unsuback = try await event("unsuback", from: start) { $0["mid"]?.int == mid }
        return unsuback["reason_codes"]?.array?.compactMap(\.int) ?? []
    }

    /// Publishes; for QoS 1/2 waits for the acknowledgement and returns its reason code.
    @discardableResult
    func publish(
        _ topic: String,
        _ payload: String,
        qos: Int = 0,
        retain: Bool = false,
        properties: JSONValue = [:],
        awaitAck: Bool = true
    ) async throws -> Int? {
        let start = process.lines.count
        command([
            "cmd": "publish", "topic": .string(topic), "payload": .string(payload), "qos": .number(qos),
            "retain": .bool(retain), "properties": properties,
        ])
        let sent = try await next("publish_sent")
        guard awaitAck else { return nil }
        let mid = sent["mid"]?.int
        let published = try await event("published", from: start) { $0["mid"]?.int == mid }
        return published["reason_code"]?.int
    }

    func message(
        timeout: Duration = .seconds(10),
        where predicate: @escaping @Sendable (JSONValue) -> Bool = { _ in true }
    )
        async throws -> JSONValue
    {
        try await next("message", timeout: timeout, where: predicate)
    }

    func ack(mid: Int, qos: Int) {
        command(["cmd": "ack", "mid": .number(mid), "qos": .number(qos)])
    }

    func disconnect(reasonCode: Int? = nil, properties: JSONValue = [:]) async throws {
        var command: [String: JSONValue] = ["cmd": "disconnect", "properties": properties]
        if let reasonCode { command["reason_code"] = .number(reasonCode) }
        self.command(.object(command))
        _ = try await next("disconnect")
    }

    /// Ends the process without DISCONNECT: the broker sees the connection drop.
    func dropConnection() async throws {
        command(["cmd": "exit"])
        try await process.waitForExit()
    }

    /// Every event seen so far of one kind, parsed.
    func events(_ event: String) -> [JSONValue] {
        process.lines.compactMap(JSONValue.parse).filter { $0["event"]?.string == event }
    }
}
