import Dispatch
import Logging
import MQTTClient
import MQTTCodec
import NIOCore

/// Opens many MQTT connections that then sit idle (only keep-alive pings), so a broker's memory
/// per connection can be read from its resident set size.
struct IdleConnections {
    var host: String
    var port: Int
    /// How many connections to open.
    var count: Int
    /// How many connection attempts run at once. Bounded so a burst stays within the listener's
    /// accept backlog (Mosquitto listens with a small one); an overflowing backlog drops SYNs,
    /// which the kernel retries only after a second.
    var concurrency: Int
    var protocolVersion: MQTTProtocolVersion
    /// Keep Alive in seconds sent in CONNECT; the clients ping at this interval while held.
    var keepAlive: UInt16
    var eventLoopGroup: any EventLoopGroup
    var logger: Logger

    /// Connects `count` clients; failures are counted, not thrown.
    func connect() async -> (clients: [MQTTClient], result: IdleResult) {
        let run = BenchRunner.uniqueRunID()
        let start = DispatchTime.now().uptimeNanoseconds
        var clients: [MQTTClient] = []
        clients.reserveCapacity(count)
        var failed = 0
        await withTaskGroup(of: MQTTClient?.self) { group in
            var next = 0
            func startOne() {
                let index = next
                next += 1
                group.addTask { await self.connectOne(clientID: "idle-\(run)-\(index)") }
            }
            while next < min(count, max(1, concurrency)) { startOne() }
            for await client in group {
                if let client { clients.append(client) } else { failed += 1 }
                if next < count { startOne() }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return (
            clients, IdleResult(requested: count, connected: clients.count, failed: failed, connectSeconds: seconds)
        )
    }

    /// Sends DISCONNECT on every client, `concurrency` at a time.
    func disconnect(_ clients: [MQTTClient]) async {
        await withTaskGroup(of: Void.self) { group in
            var next = 0
            while next < min(clients.count, max(1, concurrency)) {
                let client = clients[next]
                group.addTask { try? await client.disconnect() }
                next += 1
            }
            for await _ in group where next < clients.count {
                let client = clients[next]
                group.addTask { try? await client.disconnect() }
                next += 1
            }
        }
    }

    private func connectOne(clientID: String) async -> MQTTClient? {
        var configuration = MQTTClient.Configuration(
            host: host,
            port: port,
            clientID: clientID,
            protocolVersion: protocolVersion
        )
        configuration.keepAlive = keepAlive
        // Idle clients receive nothing; a small buffer keeps the load generator's own memory low.
        configuration.messageBufferSize = 16
        let client = MQTTClient(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger)
        do {
            _ = try await client.connect()
            return client
        } catch {
            logger.debug("idle connection failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
