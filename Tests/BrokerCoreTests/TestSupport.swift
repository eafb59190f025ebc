import BrokerCore
import MQTTCodec

/// A session stand-in compared by identity, like the broker's subscriber type.
final class TestSubscriber: Hashable, Sendable, CustomStringConvertible {
    let name: String

    init(_ name: String) { self.name = name }

    static func == (lhs: TestSubscriber, rhs: TestSubscriber) -> Bool { lhs === rhs }

    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }

    var description: String { name }
}

/// SplitMix64: a small seeded generator, so randomized tests fail the same way every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func filter(_ raw: String) -> TopicFilter {
    do {
        return try TopicFilter(parsing: raw)
    } catch {
        fatalError("test filter \(raw) is invalid: \(error)")
    }
}

func options(
    _ qos: QoS = .atMostOnce,
    noLocal: Bool = false,
    retainAsPublished: Bool = false
) -> SubscriptionOptions {
    SubscriptionOptions(qos: qos, noLocal: noLocal, retainAsPublished: retainAsPublished)
}
