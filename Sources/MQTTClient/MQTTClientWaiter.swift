import MQTTCodec

/// A caller of ``MQTTClient`` waiting for an answer: the `Waiter` of the state machine.
enum MQTTClientWaiter: Sendable {
    typealias Response = MQTTClientStateMachine<MQTTClientWaiter>.Response

    case connect(CheckedContinuation<ConnAckPacket, any Error>)
    case publish(CheckedContinuation<PublishResult, any Error>)
    case publishCallback(@Sendable (Result<PublishResult, MQTTClientError>) -> Void)
    case subscribe(CheckedContinuation<SubAckPacket, any Error>)
    case unsubscribe(CheckedContinuation<UnsubAckPacket, any Error>)
    case close(CheckedContinuation<Void, Never>)

    func resume(with result: Result<Response, MQTTClientError>) {
        switch self {
        case .connect(let continuation):
            continuation.resume(
                with: result.map { response in
                    guard case .connAck(let connack) = response else { Self.mismatch(response) }
                    return connack
                }.mapError { $0 as any Error }
            )
        case .publish(let continuation):
            continuation.resume(with: result.map(Self.publishResult).mapError { $0 as any Error })
        case .publishCallback(let callback):
            callback(result.map(Self.publishResult))
        case .subscribe(let continuation):
            continuation.resume(
                with: result.map { response in
                    guard case .subAck(let suback) = response else { Self.mismatch(response) }
                    return suback
                }.mapError { $0 as any Error }
            )
        case .unsubscribe(let continuation):
            continuation.resume(
                with: result.map { response in
                    guard case .unsubAck(let unsuback) = response else { Self.mismatch(response) }
                    return unsuback
                }.mapError { $0 as any Error }
            )
        case .close(let continuation):
            // Closing cannot fail: whatever happened, the connection is gone afterwards.
            continuation.resume()
        }
    }

    private static func publishResult(_ response: Response) -> PublishResult {
        guard case .published(let result) = response else { mismatch(response) }
        return result
    }

    private static func mismatch(_ response: Response) -> Never {
        preconditionFailure("state machine answered a waiter with \(response)")
    }
}
