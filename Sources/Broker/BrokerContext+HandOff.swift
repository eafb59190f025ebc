import BrokerCore
import MQTTCodec
import Store

extension BrokerContext {
    /// Routes a message of the Kafka → MQTT bridge exactly like a local publish without a
    /// publishing session (no ACL applies to the bridge; each subscriber's delivery rules do), and
    /// reports through `completion` once every matching session took it (see `HandOff`) and, with
    /// RETAIN set, the retained store holds it durably.
    ///
    /// The message is not offered to the MQTT → Kafka bridge: a record must not loop back.
    func publishFromBridge(_ message: ApplicationMessage, completion: @escaping @Sendable (HandOff.Outcome) -> Void) {
        let handOff = HandOff(completion: completion)
        if message.retain {
            handOff.expect()
            let ticket = retained.store(message)
            if ticket > .none, let store {
                store.whenCommitted(ticket) { handOff.retainedStored((try? $0.get()) != nil) }
            } else {
                handOff.retainedStored(true)
            }
        }
        var matches: [Router.Match] = []
        var ticket = StoreTicket.none
        router.route(message, publisher: nil, matches: &matches, ticket: &ticket, handOff: handOff)
        handOff.routed()
    }
}
