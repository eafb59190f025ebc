/// The first byte of every packet: type in bits 7-4, flags in bits 3-0 (MQTT 5.0 §2.1.1–§2.1.3).
///
/// The decoder checks it as soon as the byte arrives, before the Remaining Length and the body,
/// so a peer that sends nonsense is turned away without the decoder buffering anything for it.
struct MQTTFixedHeader: Sendable, Hashable {
    var type: MQTTPacketType
    var flags: UInt8

    /// Validates the first byte of a packet for a decoder in `role` that speaks `version` (`nil`
    /// until CONNECT has been seen).
    init(validating byte: UInt8, role: MQTTPacketDecoder.Role, version: MQTTProtocolVersion?) throws(MQTTCodecError) {
        guard let type = MQTTPacketType(rawValue: byte >> 4) else {
            throw .malformed("packet type 0 is reserved (MQTT 5.0 §2.1.2)")
        }
        self.type = type
        self.flags = byte & 0x0F

        if let version {
            // Type 15 is "Reserved, Forbidden" in 3.1.1 (MQTT 3.1.1 §2.2.1): AUTH does not exist there.
            if type == .auth && version < .v5 {
                throw .malformed("packet type 15 (AUTH) does not exist in MQTT \(version)", type)
            }
            guard role.receives(type, version: version) else {
                throw .protocolError("a \(role.peerName) does not send \(type) in MQTT \(version)", type)
            }
        } else {
            switch role {
            case .server:
                // MQTT-3.1.0-1: "the first packet sent from the Client to the Server MUST be a
                // CONNECT packet". Until then the version, and so the packet format, is unknown.
                guard type == .connect else {
                    throw .protocolError("\(type) before CONNECT (MQTT-3.1.0-1)", type)
                }
            case .client:
                throw .protocolError(
                    "a client-role decoder needs the protocolVersion the client sent in CONNECT",
                    type
                )
            }
        }
        try self.validateFlags(version: version)
    }

    /// Checks the flag bits (MQTT 5.0 §2.1.3, Table 2-2): "Where a flag bit is marked as Reserved,
    /// it is reserved for future use and MUST be set to the value listed [MQTT-2.1.3-1]. If
    /// invalid flags are received it is a Malformed Packet."
    private func validateFlags(version: MQTTProtocolVersion?) throws(MQTTCodecError) {
        switch self.type {
        case .publish:
            let qosBits = (self.flags >> 1) & 0x03
            // MQTT-3.3.1-4: "A PUBLISH Packet MUST NOT have both QoS bits set to 1. If a Server or
            // Client receives a PUBLISH packet which has both QoS bits set to 1 it is a Malformed
            // Packet."
            if qosBits == 3 {
                throw .malformed("PUBLISH with QoS 3 (MQTT-3.3.1-4)", .publish)
            }
            // MQTT-3.3.1-2: "The DUP flag MUST be set to 0 for all QoS 0 messages."
            if qosBits == 0 && self.flags & 0x08 != 0 {
                throw .malformed("PUBLISH with DUP set at QoS 0 (MQTT-3.3.1-2)", .publish)
            }
        case .pubrel, .subscribe, .unsubscribe:
            // MQTT-3.6.1-1, MQTT-3.8.1-1, MQTT-3.10.1-1: bits 3-0 MUST be 0,0,1,0. In MQTT 3.1
            // these bits were a real DUP flag and QoS 1, and a client re-sending one of these
            // packets set DUP (MQTT 3.1 §2.1, "DUP"), so 3.1 also allows 1,0,1,0.
            let allowsDUP = version == .v3_1
            guard self.flags == 0b0010 || (allowsDUP && self.flags == 0b1010) else {
                throw .malformed(
                    "\(self.type) flags 0b\(String(self.flags, radix: 2)) instead of 0b0010 (MQTT 5.0 §2.1.3)",
                    self.type
                )
            }
        case .connect, .connack, .puback, .pubrec, .pubcomp, .suback, .unsuback, .pingreq, .pingresp, .disconnect,
            .auth:
            guard self.flags == 0 else {
                throw .malformed(
                    "\(self.type) flags 0b\(String(self.flags, radix: 2)) instead of 0 (MQTT-2.1.3-1)",
                    self.type
                )
            }
        }
    }
}

extension MQTTPacketDecoder.Role {
    /// Whether the peer of a decoder in this role may send `type` (MQTT 5.0 §2.1.2, Table 2-1,
    /// "Direction of flow"). A packet flowing the wrong way is a Protocol Error.
    func receives(_ type: MQTTPacketType, version: MQTTProtocolVersion) -> Bool {
        switch type {
        case .connect, .subscribe, .unsubscribe, .pingreq:
            self == .server
        case .connack, .suback, .unsuback, .pingresp:
            self == .client
        case .publish, .puback, .pubrec, .pubrel, .pubcomp, .auth:
            true
        case .disconnect:
            // MQTT 3.1.1 §3.14: "The DISCONNECT Packet is the final Control Packet sent from the
            // Client to the Server." Only 5.0 lets a server send one (§3.14).
            self == .server || version == .v5
        }
    }

    /// Who sends the packets this role decodes, for error details.
    var peerName: String {
        switch self {
        case .server: "client"
        case .client: "server"
        }
    }
}
