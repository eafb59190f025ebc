/// One rule of the access control list (the `acl:` section of the configuration).
///
/// Rules are tried in order and the first whose pattern matches decides (first match wins).
/// `topic` may contain `%c` (the client identifier) and `%u` (the user name) and MQTT wildcards.
public struct AccessRule: Sendable, Hashable {
    public enum Effect: Sendable, Hashable {
        case allow
        case deny
    }

    public enum Action: String, Sendable, Hashable, CaseIterable {
        case publish
        case subscribe
    }

    public var effect: Effect
    public var actions: Set<Action>
    public var topic: String

    public init(_ effect: Effect, _ actions: Set<Action>, topic: String) {
        self.effect = effect
        self.actions = actions
        self.topic = topic
    }
}
