import Logging
import NIOCore
import NIOEmbedded
import NIOWebSocket
import Testing

@testable import Broker

/// Frames in, MQTT bytes out and back (MQTT 5.0 §6), without sockets.
@Suite struct WebSocketMQTTFrameHandlerTests {
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        try channel.pipeline.syncOperations.addHandler(WebSocketMQTTFrameHandler(logger: logger))
        return channel
    }

    private func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    @Test func binaryAndContinuationFramesBecomeOneByteStream() throws {
        let channel = try makeChannel()
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .binary, data: buffer([1, 2])))
        try channel.writeInbound(WebSocketFrame(fin: false, opcode: .binary, data: buffer([3])))
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .ping, data: buffer([9])))
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .continuation, data: buffer([4, 5])))
        var bytes: [UInt8] = []
        while let part = try channel.readInbound(as: ByteBuffer.self) {
            bytes += part.readableBytesView
        }
        #expect(bytes == [1, 2, 3, 4, 5])
        let pong = try channel.readOutbound(as: WebSocketFrame.self)
        #expect(pong?.opcode == .pong)
        #expect(pong?.data == buffer([9]))
    }

    @Test func outgoingBytesBecomeBinaryFrames() throws {
        let channel = try makeChannel()
        try channel.writeOutbound(buffer([0x20, 0x02, 0x00, 0x00]))
        let frame = try channel.readOutbound(as: WebSocketFrame.self)
        #expect(frame?.opcode == .binary)
        #expect(frame?.fin == true)
        #expect(frame?.data == buffer([0x20, 0x02, 0x00, 0x00]))
    }

    @Test func aTextFrameClosesWithUnacceptableData() throws {
        let channel = try makeChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .text, data: buffer(Array("hi".utf8))))
        let close = try channel.readOutbound(as: WebSocketFrame.self)
        #expect(close?.opcode == .connectionClose)
        var payload = close?.data ?? ByteBuffer()
        #expect(payload.readWebSocketErrorCode() == .unacceptableData)
        #expect(!channel.isActive)
    }

    @Test func aCloseFrameIsAnsweredThenTheConnectionEnds() throws {
        let channel = try makeChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        var payload = ByteBuffer()
        payload.write(webSocketErrorCode: .goingAway)
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload))
        let reply = try channel.readOutbound(as: WebSocketFrame.self)
        #expect(reply?.opcode == .connectionClose)
        var replyPayload = reply?.data ?? ByteBuffer()
        #expect(replyPayload.readWebSocketErrorCode() == .goingAway)
        #expect(!channel.isActive)
    }

    @Test func aContinuationOutsideAMessageIsAProtocolError() throws {
        let channel = try makeChannel()
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(WebSocketFrame(fin: true, opcode: .continuation, data: buffer([1])))
        var payload = try channel.readOutbound(as: WebSocketFrame.self)?.data ?? ByteBuffer()
        #expect(payload.readWebSocketErrorCode() == .protocolError)
        #expect(try channel.readInbound(as: ByteBuffer.self) == nil)
    }
}
