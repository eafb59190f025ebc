import MQTTCodec
import NIOCore
import Testing

@testable import MQTTClient

typealias Machine = MQTTClientStateMachine<Int>

/// A deadline `seconds` after an arbitrary origin: tests drive the state machine's clock.
func at(_ seconds: Int64) -> NIODeadline {
    .uptimeNanoseconds(UInt64(1_000_000_000 + seconds * 1_000_000_000))
}

func makeMachine(
    version: MQTTProtocolVersion = .v5,
    cleanStart: Bool = true,
    keepAlive: UInt16 = 60,
    maximumInFlight: Int = 65_535,
    useTopicAliases: Bool = false,
    properties: MQTTProperties = []
) -> Machine {
    Machine(
        options: .init(
            connect: ConnectPacket(
                protocolVersion: version,
                clientID: "test",
                cleanStart: cleanStart,
                keepAlive: keepAlive,
                properties: properties
            ),
            maximumInFlight: maximumInFlight,
            useTopicAliases: useTopicAliases,
            pingTimeout: .seconds(5)
        )
    )
}

/// Runs connect → channelActive → CONNACK with the waiter 0 and checks each step.
func establish(
    _ machine: inout Machine,
    connack: ConnAckPacket = ConnAckPacket(),
    now: NIODeadline = at(0),
    sourceLocation: SourceLocation = #_sourceLocation
) {
    guard case .startConnecting(let generation) = machine.connect(waiter: 0) else {
        Issue.record("connect did not start", sourceLocation: sourceLocation)
        return
    }
    guard case .write(.connect) = machine.channelActive(generation: generation, now: now) else {
        Issue.record("channelActive did not write CONNECT", sourceLocation: sourceLocation)
        return
    }
    #expect(
        machine.receive(.connack(connack), generation: generation) == .resume(0, .success(.connAck(connack))),
        sourceLocation: sourceLocation
    )
}

func payload(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

func publish(
    _ topic: String = "t",
    _ text: String = "x",
    qos: QoS,
    dup: Bool = false,
    id: UInt16? = nil,
    properties: MQTTProperties = []
) -> PublishPacket {
    PublishPacket(topic: topic, payload: payload(text), qos: qos, dup: dup, packetID: id, properties: properties)
}

func published(_ id: UInt16?, _ reason: MQTTReasonCode = .success) -> Result<Machine.Response, MQTTClientError> {
    .success(.published(PublishResult(packetID: id, reasonCode: reason)))
}

/// Every action `nextQueuedAction()` releases, until `.none`.
func drain(_ machine: inout Machine) -> [Machine.Action] {
    var actions: [Machine.Action] = []
    while true {
        let action = machine.nextQueuedAction()
        if action == .none { return actions }
        actions.append(action)
    }
}
