import BrokerCore
import MQTTCodec
import Testing

/// The shared-group identity in matches and the lookup the broker uses to give an ended member's
/// messages to another member (MQTT 5.0 §4.8.2).
@Suite struct SharedGroupRoutingTests {
    let a = TestSubscriber("a")
    let b = TestSubscriber("b")
    let c = TestSubscriber("c")

    @Test func sharedMatchesNameTheirGroup() {
        var tree = Tree()
        tree.subscribe(a, to: filter("$share/g/sensors/+"), options: options(), identifier: nil)
        tree.subscribe(b, to: filter("sensors/+"), options: options(), identifier: nil)
        let matches = tree.route("sensors/1")
        #expect(
            matches.first { $0.subscriber == a }?.sharedGroup == SharedGroupKey(shareName: "g", filter: "sensors/+")
        )
        #expect(matches.first { $0.subscriber == b }?.sharedGroup == nil)
    }

    @Test func anotherMemberIsChosenExcludingTheEndedOne() {
        var tree = Tree()
        let group = SharedGroupKey(shareName: "g", filter: "jobs/#")
        for member in [a, b, c] {
            tree.subscribe(member, to: filter("$share/g/jobs/#"), options: options(), identifier: nil)
        }
        for _ in 0..<10 {
            let chosen = tree.sharedGroupMember(group, excluding: a) { _ in true }
            #expect(chosen == b || chosen == c)
        }
        // Online members are preferred; with none online any other member will do.
        #expect(tree.sharedGroupMember(group, excluding: a) { $0 == c } == c)
        let fallback = tree.sharedGroupMember(group, excluding: a) { _ in false }
        #expect(fallback == b || fallback == c)
    }

    @Test func noOtherMemberMeansNil() {
        var tree = Tree()
        tree.subscribe(a, to: filter("$share/g/jobs"), options: options(), identifier: nil)
        #expect(
            tree.sharedGroupMember(SharedGroupKey(shareName: "g", filter: "jobs"), excluding: a) { _ in true } == nil
        )
        #expect(
            tree.sharedGroupMember(SharedGroupKey(shareName: "other", filter: "jobs"), excluding: b) { _ in true }
                == nil
        )
        #expect(
            tree.sharedGroupMember(SharedGroupKey(shareName: "g", filter: "nothing"), excluding: b) { _ in true } == nil
        )
    }
}
