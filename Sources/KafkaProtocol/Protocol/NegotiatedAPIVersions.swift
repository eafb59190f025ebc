/// The version to use for each API on one broker connection, chosen from the broker's
/// ApiVersions answer: per API the highest version in both the broker's range and ours.
///
/// KIP-35 ("Retrieving protocol version"): a client sends ApiVersions first and then uses, per
/// API, a version within the broker's [MinVersion, MaxVersion].
public struct NegotiatedAPIVersions: Hashable, Sendable {
    /// The outcome for one API.
    public enum Outcome: Hashable, Sendable {
        /// Use this version.
        case version(Int16)
        /// The broker supports the API, but not in any version we implement.
        case noCommonVersion(ours: ClosedRange<Int16>, broker: ClosedRange<Int16>)
        /// The broker did not list the API.
        case notSupportedByBroker(ours: ClosedRange<Int16>)
    }

    /// The outcome per implemented API.
    public private(set) var outcomes: [APIKey: Outcome]

    /// Negotiates from the broker's advertised ranges (`ApiVersionsResponse.apiKeys`).
    /// `ours` defaults to every API this module implements, in the ranges it implements.
    public init(
        broker: [ApiVersionsResponse.APIVersion],
        ours: [APIKey: ClosedRange<Int16>] = NegotiatedAPIVersions.implementedRanges
    ) {
        var brokerRanges: [APIKey: ClosedRange<Int16>] = [:]
        for entry in broker where entry.minVersion <= entry.maxVersion {
            brokerRanges[entry.apiKey] = entry.minVersion...entry.maxVersion
        }
        var outcomes: [APIKey: Outcome] = [:]
        for (key, ourRange) in ours {
            guard let brokerRange = brokerRanges[key] else {
                outcomes[key] = .notSupportedByBroker(ours: ourRange)
                continue
            }
            let highest = min(ourRange.upperBound, brokerRange.upperBound)
            let lowest = max(ourRange.lowerBound, brokerRange.lowerBound)
            outcomes[key] =
                highest >= lowest ? .version(highest) : .noCommonVersion(ours: ourRange, broker: brokerRange)
        }
        self.outcomes = outcomes
    }

    /// Every implemented API with the range we implement.
    public static var implementedRanges: [APIKey: ClosedRange<Int16>] {
        var ranges: [APIKey: ClosedRange<Int16>] = [:]
        for key in APIKey.implemented {
            ranges[key] = key.implementedVersions
        }
        return ranges
    }

    /// The version to use for `apiKey`, or a typed error saying why there is none
    /// (``KafkaProtocolError/Code/noCommonVersion`` or ``KafkaProtocolError/Code/apiNotSupportedByBroker``).
    public func version(for apiKey: APIKey) throws -> Int16 {
        switch self.outcomes[apiKey] {
        case .version(let version):
            return version
        case .noCommonVersion(let ours, let broker):
            throw KafkaProtocolError(
                code: .noCommonVersion,
                detail: "\(apiKey.name): we implement v\(ours.lowerBound)-\(ours.upperBound), "
                    + "the broker v\(broker.lowerBound)-\(broker.upperBound)"
            )
        case .notSupportedByBroker(let ours):
            throw KafkaProtocolError(
                code: .apiNotSupportedByBroker,
                detail:
                    "\(apiKey.name): the broker does not offer it (we implement v\(ours.lowerBound)-\(ours.upperBound))"
            )
        case nil:
            throw KafkaProtocolError(code: .unknownAPIKey, detail: "\(apiKey.name) was not negotiated")
        }
    }
}
