import MQTTCodec
import NIOCore
import Testing

@testable import MQTTClient

@Suite("State machine: connecting and closing")
struct StateMachineConnectionTests {
    @Test func connectSendsConnectAndResumesOnConnAck() {
        var machine = makeMachine()
        #expect(!machine.isConnected)
        establish(&machine)
        #expect(machine.isConnected)
    }

    @Test func secondConnectFailsWithAlreadyConnected() {
        var machine = makeMachine()
        establish(&machine)
        guard case .fail(1, let error) = machine.connect(waiter: 1) else {
            Issue.record("expected failure")
            return
        }
        #expect(error.code == .alreadyConnected)
    }

    @Test func refusedConnAckFailsConnectWithReasonCode() {
        var machine = makeMachine()
        guard case .startConnecting(let generation) = machine.connect(waiter: 0) else { return }
        _ = machine.channelActive(generation: generation, now: at(0))
        let action = machine.receive(.connack(ConnAckPacket(reasonCode: .notAuthorized)), generation: generation)
        #expect(
            action == .resumeAndClose(0, .failure(MQTTClientError(.connectionRefused, reasonCode: .notAuthorized)))
        )
        #expect(!machine.isConnected)
        let closed = machine.channelInactive(generation: generation)
        #expect(closed?.failed.isEmpty == true)
        // The client can connect again afterwards.
        guard case .startConnecting(let next) = machine.connect(waiter: 1) else {
            Issue.record("reconnect refused")
            return
        }
        #expect(next == generation + 1)
    }

    @Test func connectTimeoutBeforeChannelClosesTheLateChannel() {
        var machine = makeMachine()
        guard case .startConnecting(let generation) = machine.connect(waiter: 0) else { return }
        #expect(
            machine.connectTimedOut(generation: generation) == .resume(0, .failure(MQTTClientError(.connectTimeout)))
        )
        #expect(machine.channelActive(generation: generation, now: at(0)) == .close(nil))
        #expect(machine.channelInactive(generation: generation) == nil)
    }

    @Test func connectTimeoutAfterChannelActiveClosesIt() {
        var machine = makeMachine()
        guard case .startConnecting(let generation) = machine.connect(waiter: 0) else { return }
        _ = machine.channelActive(generation: generation, now: at(0))
        #expect(
            machine.connectTimedOut(generation: generation)
                == .resumeAndClose(0, .failure(MQTTClientError(.connectTimeout)))
        )
        // A CONNACK that arrives after the timeout is ignored.
        #expect(machine.receive(.connack(ConnAckPacket()), generation: generation) == .none)
        // A timer of the answered attempt does nothing.
        #expect(machine.connectTimedOut(generation: generation) == .none)
    }

    @Test func channelErrorBeforeConnAckFailsConnectWithConnectFailed() {
        var machine = makeMachine()
        guard case .startConnecting(let generation) = machine.connect(waiter: 0) else { return }
        _ = machine.channelActive(generation: generation, now: at(0))
        machine.channelError(MQTTClientError(.timeout), generation: generation)
        let closed = machine.channelInactive(generation: generation)
        #expect(closed?.failed == [0])
        #expect(closed?.error == MQTTClientError(.connectFailed))
    }

    @Test func firstPacketMustBeConnAck() {
        var machine = makeMachine()
        guard case .startConnecting(let generation) = machine.connect(waiter: 0) else { return }
        _ = machine.channelActive(generation: generation, now: at(0))
        let action = machine.receive(.pingresp, generation: generation)
        #expect(action == .resumeAndClose(0, .failure(MQTTClientError(.protocolError, reasonCode: .protocolError))))
    }

    @Test func sessionPresentAfterCleanStartIsAProtocolError() {
        var machine = makeMachine(cleanStart: true)
        guard case .startConnecting(let generation) = machine.connect(waiter: 0) else { return }
        _ = machine.channelActive(generation: generation, now: at(0))
        let action = machine.receive(.connack(ConnAckPacket(sessionPresent: true)), generation: generation)
        #expect(action == .resumeAndClose(0, .failure(MQTTClientError(.protocolError, reasonCode: .protocolError))))
    }

    @Test func assignedClientIdentifierIsReusedOnReconnection() {
        var machine = Machine(
            options: .init(
                connect: ConnectPacket(protocolVersion: .v5, clientID: "", cleanStart: false),
                maximumInFlight: 10,
                useTopicAliases: false,
                pingTimeout: .seconds(5)
            )
        )
        var properties = MQTTProperties()
        properties.assignedClientIdentifier = "auto-42"
        establish(&machine, connack: ConnAckPacket(properties: properties))
        #expect(machine.assignedClientID == "auto-42")
        _ = machine.close(waiter: 9)
        _ = machine.channelInactive(generation: machine.generation)
        guard case .startConnecting(let generation) = machine.connect(waiter: 1) else { return }
        guard case .write(.connect(let connect)) = machine.channelActive(generation: generation, now: at(0)) else {
            Issue.record("no CONNECT")
            return
        }
        #expect(connect.clientID == "auto-42")
    }

    @Test func serverDisconnectEndsMessagesAndPendingCallsWithItsReasonCode() {
        var machine = makeMachine()
        establish(&machine)
        #expect(
            machine.publish(publish(qos: .atLeastOnce), waiter: 1)
                == .write(.publish(publish(qos: .atLeastOnce, id: 1)))
        )
        let disconnect = DisconnectPacket(reasonCode: .serverShuttingDown)
        #expect(machine.receive(.disconnect(disconnect), generation: machine.generation) == .close(nil))
        #expect(machine.serverDisconnect == disconnect)
        // Packets after the DISCONNECT are dropped.
        #expect(machine.receive(.puback(PublishFlowPacket(packetID: 1)), generation: machine.generation) == .none)
        let closed = machine.channelInactive(generation: machine.generation)
        let expected = MQTTClientError(.serverDisconnected, reasonCode: .serverShuttingDown)
        #expect(closed?.failed == [1])
        #expect(closed?.error == expected)
        #expect(closed?.messagesError == expected)
    }

    @Test func disconnectWritesDisconnectAndCompletesWhenClosed() {
        var machine = makeMachine()
        establish(&machine)
        let packet = DisconnectPacket(reasonCode: .disconnectWithWillMessage)
        #expect(machine.disconnect(packet, waiter: 5) == .close(packet))
        #expect(
            machine.publish(publish(qos: .atMostOnce), waiter: 6)
                == .resume(6, .failure(MQTTClientError(.notConnected)))
        )
        let closed = machine.channelInactive(generation: machine.generation)
        #expect(closed?.closeWaiters == [5])
        #expect(closed?.messagesError == nil)
    }

    @Test func closeWhileChannelIsOpeningFinishesWhenItFails() {
        var machine = makeMachine()
        guard case .startConnecting(let generation) = machine.connect(waiter: 0) else { return }
        #expect(machine.close(waiter: 1) == .none)
        let error = MQTTClientError(.connectFailed)
        #expect(
            machine.connectFailed(generation: generation, error: error)
                == .batch([.resume(0, .failure(MQTTClientError(.connectFailed))), .resume(1, .success(.closed))])
        )
    }

    @Test func severalCallersCanWaitForTheClose() {
        var machine = makeMachine()
        establish(&machine)
        #expect(machine.close(waiter: 1) == .close(nil))
        #expect(machine.isClosing)
        #expect(machine.close(waiter: 2) == .none)
        #expect(machine.disconnect(DisconnectPacket(), waiter: 3) == .none)
        let closed = machine.channelInactive(generation: machine.generation)
        #expect(closed?.closeWaiters == [1, 2, 3])
        #expect(!machine.isClosing)
    }

    @Test func closeWithoutConnectionCompletesAtOnce() {
        var machine = makeMachine()
        #expect(machine.close(waiter: 1) == .resume(1, .success(.closed)))
    }

    @Test func undecodableInputClosesWithDisconnectInV5() {
        var machine = makeMachine()
        establish(&machine)
        let error = MQTTCodecError(reasonCode: .malformedPacket, detail: "test")
        #expect(
            machine.decodeFailed(error, generation: machine.generation)
                == .close(DisconnectPacket(reasonCode: .malformedPacket))
        )
        let closed = machine.channelInactive(generation: machine.generation)
        #expect(closed?.messagesError == MQTTClientError(.protocolError, reasonCode: .malformedPacket))
    }

    @Test func undecodableInputClosesWithoutDisconnectInV311() {
        var machine = makeMachine(version: .v3_1_1)
        establish(&machine)
        let error = MQTTCodecError(reasonCode: .malformedPacket, detail: "test")
        #expect(machine.decodeFailed(error, generation: machine.generation) == .close(nil))
    }

    @Test func eventsOfAnOlderConnectionAreIgnored() {
        var machine = makeMachine()
        establish(&machine)
        let old = machine.generation
        _ = machine.close(waiter: 1)
        _ = machine.channelInactive(generation: old)
        establish(&machine)
        #expect(machine.channelInactive(generation: old) == nil)
        #expect(machine.receive(.pingresp, generation: old) == .none)
        #expect(machine.isConnected)
    }
}
