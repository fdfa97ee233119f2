import NIOCore
import NIOEmbedded
import RPCHTTP2
import Testing

/// Collects what reaches it, standing for a protocol's handlers.
private final class Recorder: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: an EmbeddedChannel runs everything on the test's thread.
    typealias InboundIn = ByteBuffer
    var received = ""

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += String(buffer: unwrapInboundIn(data))
    }
}

@Suite("One port, two protocols: telling HTTP/2 from HTTP/1.1 by the first bytes")
struct ProtocolSnifferTests {
    private func sniffing(_ chunks: [String]) throws -> (http2: Recorder, http1: Recorder?, channel: EmbeddedChannel) {
        let channel = EmbeddedChannel()
        let http2 = Recorder()
        let http1 = Recorder()
        var chose1 = false
        try channel.pipeline.syncOperations.addHandler(
            ProtocolSniffer(http2: http2) { channel in
                chose1 = true
                try channel.pipeline.syncOperations.addHandler(http1)
            }
        )
        for chunk in chunks { try channel.writeInbound(ByteBuffer(string: chunk)) }
        return (http2, chose1 ? http1 : nil, channel)
    }

    @Test("the HTTP/2 preface, even split over reads, goes to HTTP/2 whole")
    func http2() throws {
        let (http2, http1, _) = try sniffing(["PRI * HTTP/2.0\r\n", "\r\nSM\r\n\r\n", "frames"])
        #expect(http1 == nil)
        #expect(http2.received == "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\nframes")
    }

    @Test("anything else goes to HTTP/1.1 as soon as a byte differs, with every byte held back")
    func http1() throws {
        let (http2, http1, _) = try sniffing(["PO", "ST / HTTP/1.1\r\n", "Host: x\r\n\r\n"])
        #expect(http2.received == "")
        #expect(http1?.received == "POST / HTTP/1.1\r\nHost: x\r\n\r\n")
    }

    @Test("a prefix of the preface waits for more before choosing")
    func waits() throws {
        let (http2, http1, _) = try sniffing(["PRI * HT"])
        #expect(http1 == nil && http2.received == "")
    }
}
