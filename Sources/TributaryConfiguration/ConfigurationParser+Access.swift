import Broker
import BrokerCore
import Foundation
import Yams

extension ConfigurationParser {
    /// `auth: { allow-anonymous, password-file }`.
    func parseAuthentication(
        _ node: Node,
        _ path: String,
        into authentication: inout BrokerConfiguration.Authentication
    ) {
        guard let fields = reader.fields(node, path, allowed: ["allow-anonymous", "password-file"]) else { return }
        if let allow = reader.bool(fields, "allow-anonymous") {
            authentication.allowAnonymous = allow
        }
        if let file = existingFile(fields, "password-file") {
            authentication.passwordFile = file
            checkPasswordFile(file, fields["password-file"], fields.path("password-file"))
        }
    }

    /// Reports malformed lines of the password file now, rather than at the first login.
    private func checkPasswordFile(_ path: String, _ node: Node?, _ keyPath: String) {
        guard FileManager.default.fileExists(atPath: path) else { return }  // reported, or a test
        do {
            _ = try PasswordFile(parsing: try String(contentsOfFile: path, encoding: .utf8))
        } catch let error as PasswordFile.ParseError {
            for issue in error.issues {
                reader.report(node, keyPath, "\(path) \(issue)")
            }
        } catch {
            reader.report(node, keyPath, "cannot read \(path): \(error.localizedDescription)")
        }
    }

    /// `acl:`: a list of `{ allow: [actions], topic }` or `{ deny: [actions], topic }`.
    func parseAccessRules(_ node: Node, _ path: String) -> [AccessRule] {
        guard let elements = reader.list(node, path) else { return [] }
        var rules: [AccessRule] = []
        for (index, element) in elements.enumerated() {
            if let rule = parseAccessRule(element, "\(path)[\(index)]") {
                rules.append(rule)
            }
        }
        return rules
    }

    private func parseAccessRule(_ node: Node, _ path: String) -> AccessRule? {
        guard let fields = reader.fields(node, path, allowed: ["allow", "deny", "topic"]) else { return nil }
        let effect: AccessRule.Effect?
        switch (fields.has("allow"), fields.has("deny")) {
        case (true, true):
            reader.report(fields["deny"], path, "a rule has either `allow` or `deny`, not both")
            effect = nil
        case (false, false):
            reader.reportMissing(fields, "allow` or `deny", "a list of publish, subscribe")
            effect = nil
        case (true, false):
            effect = .allow
        case (false, true):
            effect = .deny
        }
        let actions = effect.flatMap { parseActions(fields, $0 == .allow ? "allow" : "deny") }
        var topic: String?
        if let topicNode = fields["topic"], let text = reader.string(topicNode, fields.path("topic")) {
            if let problem = AccessPattern.validate(text) {
                reader.report(topicNode, fields.path("topic"), "invalid topic filter \"\(text)\": \(problem)")
            } else {
                topic = text
            }
        } else if !fields.has("topic") {
            reader.reportMissing(fields, "topic", "an MQTT topic filter")
        }
        guard let effect, let actions, let topic else { return nil }
        return AccessRule(effect, actions, topic: topic)
    }

    private func parseActions(_ fields: ConfigurationReader.Fields, _ key: String) -> Set<AccessRule.Action>? {
        guard let node = fields[key], let names = reader.strings(fields, key) else { return nil }
        var actions: Set<AccessRule.Action> = []
        var valid = true
        for name in names {
            guard let action = AccessRule.Action(rawValue: name) else {
                reader.report(node, fields.path(key), "expected publish or subscribe, got \"\(name)\"")
                valid = false
                continue
            }
            actions.insert(action)
        }
        if names.isEmpty {
            reader.report(node, fields.path(key), "name at least one of publish, subscribe")
            valid = false
        }
        return valid ? actions : nil
    }
}
