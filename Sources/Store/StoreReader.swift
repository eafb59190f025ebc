import BrokerCore
import Foundation
import GRDB

/// Reads the whole durable state back when the broker starts.
enum StoreReader {
    static func read(_ db: Database) throws -> (state: RecoveredState, maximumDeliveryID: Int64) {
        var sessions: [String: RecoveredSession] = [:]
        var order: [String] = []
        for row in try Row.fetchAll(db, sql: "SELECT client_id, expiry_interval, disconnected_at FROM sessions") {
            let clientID: String = row["client_id"]
            let expiry: Int64 = row["expiry_interval"]
            sessions[clientID] = RecoveredSession(
                clientID: clientID,
                expiryInterval: UInt32(clamping: expiry),
                disconnectedAt: row["disconnected_at"]
            )
            order.append(clientID)
        }

        for row in try Row.fetchAll(db, sql: "SELECT client_id, filter, options, identifier FROM subscriptions") {
            let clientID: String = row["client_id"]
            let optionsByte: Int64 = row["options"]
            guard sessions[clientID] != nil,
                let options = StoredSubscription.options(from: UInt8(truncatingIfNeeded: optionsByte))
            else { continue }
            let identifier: Int64? = row["identifier"]
            sessions[clientID]!.subscriptions.append(
                StoredSubscription(
                    filter: row["filter"],
                    options: options,
                    identifier: identifier.map { UInt32(clamping: $0) }
                )
            )
        }

        var maximumID: Int64 = 0
        let deliveryRows = try Row.fetchCursor(db, sql: "SELECT * FROM deliveries ORDER BY id")
        while let row = try deliveryRows.next() {
            let clientID: String = row["client_id"]
            let id: Int64 = row["id"]
            maximumID = max(maximumID, id)
            guard sessions[clientID] != nil else { continue }
            sessions[clientID]!.deliveries.append(delivery(from: row))
        }

        for row in try Row.fetchAll(db, sql: "SELECT client_id, packet_id, awaiting_kafka FROM incoming_qos2") {
            let clientID: String = row["client_id"]
            let packetID = UInt16(truncatingIfNeeded: row["packet_id"] as Int64)
            let awaitingKafka: Bool = row["awaiting_kafka"]
            if awaitingKafka {
                sessions[clientID]?.incomingQoS2AwaitingKafka.append(packetID)
            } else {
                sessions[clientID]?.incomingQoS2.append(packetID)
            }
        }

        var state = RecoveredState()
        state.sessions = order.compactMap { sessions[$0] }
        for row in try Row.fetchAll(db, sql: "SELECT topic, payload, qos, properties, expires_at FROM retained") {
            let qos: Int64 = row["qos"]
            let payload: Data = row["payload"]
            let properties: Data = row["properties"]
            state.retained.append(
                StoredMessage(
                    topic: row["topic"],
                    payload: Array(payload),
                    qos: UInt8(truncatingIfNeeded: qos),
                    retain: true,
                    properties: Array(properties),
                    expiresAt: row["expires_at"]
                )
            )
        }
        return (state, maximumID)
    }

    private static func delivery(from row: Row) -> StoredDelivery {
        let payload: Data = row["payload"]
        let properties: Data = row["properties"]
        let messageQoS: Int64 = row["message_qos"]
        let qos: Int64 = row["qos"]
        let identifiers: String = row["subscription_identifiers"]
        let shareName: String? = row["share_name"]
        let shareFilter: String? = row["share_filter"]
        let packetID: Int64? = row["packet_id"]
        let phase: Int64? = row["phase"]
        let message = StoredMessage(
            topic: row["topic"],
            payload: Array(payload),
            qos: UInt8(truncatingIfNeeded: messageQoS),
            retain: row["message_retain"],
            properties: Array(properties),
            expiresAt: row["expires_at"]
        )
        var group: SharedGroupKey?
        if let shareName, let shareFilter {
            group = SharedGroupKey(shareName: shareName, filter: shareFilter)
        }
        let storedPhase = phase.flatMap { StoredDelivery.Phase(rawValue: UInt8(truncatingIfNeeded: $0)) }
        return StoredDelivery(
            id: row["id"],
            message: message,
            qos: UInt8(truncatingIfNeeded: qos),
            retain: row["retain"],
            subscriptionIdentifiers: identifiers.split(separator: ",").compactMap { UInt32($0) },
            sharedGroup: group,
            packetID: storedPhase == nil ? nil : packetID.map { UInt16(truncatingIfNeeded: $0) },
            phase: storedPhase
        )
    }
}
