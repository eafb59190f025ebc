import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A deliberately primitive WebSocket client on a blocking loopback socket, for what real
/// clients never do: choose exactly how MQTT bytes fall into frames, send a text frame, offer
/// the wrong subprotocol. Frames follow RFC 6455 §5.2 (client frames masked).
final class RawWebSocket {
    private let socket: Int32
    private var received: [UInt8] = []
    private(set) var closed = false

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(description: "socket() failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            close(socket)
            throw Failure(description: "connect to port \(port) failed")
        }
    }

    deinit {
        close(socket)
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, 0) }
            guard written > 0 else { throw Failure(description: "send failed") }
            offset += written
        }
    }

    /// Sends the HTTP upgrade request and returns the response head (status line and headers).
    func upgrade(path: String, subprotocols: [String]) throws -> String {
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        if !subprotocols.isEmpty {
            request += "Sec-WebSocket-Protocol: \(subprotocols.joined(separator: ", "))\r\n"
        }
        request += "\r\n"
        try send(Array(request.utf8))
        let end = Array("\r\n\r\n".utf8)
        try fill { bytes in bytes.firstRange(of: end) != nil }
        let range = received.firstRange(of: end)!
        let head = String(decoding: received[..<range.lowerBound], as: UTF8.self)
        received.removeSubrange(..<range.upperBound)
        return head
    }

    /// Sends one frame, masked as RFC 6455 §5.3 requires of clients.
    func sendFrame(opcode: UInt8, fin: Bool = true, _ payload: [UInt8]) throws {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame.append(0x80 | 126)
            frame += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        try send(frame)
    }

    /// Reads the next frame the server sent: (opcode, fin, payload). Server frames are unmasked.
    func readFrame() throws -> (opcode: UInt8, fin: Bool, payload: [UInt8]) {
        try fill { $0.count >= 2 }
        var headerLength = 2
        var length = Int(received[1] & 0x7F)
        if length == 126 {
            try fill { $0.count >= 4 }
            length = Int(received[2]) << 8 | Int(received[3])
            headerLength = 4
        } else if length == 127 {
            throw Failure(description: "unexpectedly large frame")
        }
        try fill { $0.count >= headerLength + length }
        let frame = (received[0] & 0x0F, received[0] & 0x80 != 0, Array(received[headerLength..<headerLength + length]))
        received.removeSubrange(..<(headerLength + length))
        return frame
    }

    /// Whether the server closed the connection (reads until end of file or the timeout).
    func readsEndOfFile() -> Bool {
        (try? fill { _ in false }) == nil && closed
    }

    private func fill(until done: ([UInt8]) -> Bool) throws {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !done(received) {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 {
                closed = true
                throw Failure(description: "connection closed; received so far: \(received)")
            }
            guard count > 0 else { throw Failure(description: "receive timed out; received so far: \(received)") }
            received += buffer[..<count]
        }
    }
}

/// Hand-made MQTT 3.1.1 packets (§3.1, §3.3), so a test controls every byte it frames.
enum RawMQTT {
    static func connect(clientID: String) -> [UInt8] {
        let body: [UInt8] = [0x00, 0x04] + Array("MQTT".utf8) + [0x04, 0x02, 0x00, 0x3C] + string(clientID)
        return [0x10] + remainingLength(body.count) + body
    }

    static func publish(topic: String, payload: String) -> [UInt8] {
        let body = string(topic) + Array(payload.utf8)
        return [0x30] + remainingLength(body.count) + body
    }

    private static func string(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        return [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    private static func remainingLength(_ length: Int) -> [UInt8] {
        var value = length
        var bytes: [UInt8] = []
        repeat {
            var byte = UInt8(value % 128)
            value /= 128
            if value > 0 { byte |= 0x80 }
            bytes.append(byte)
        } while value > 0
        return bytes
    }
}
