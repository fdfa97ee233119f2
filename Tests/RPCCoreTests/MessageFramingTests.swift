import IsidTestSupport
import NIOCore
import RPCCore
import Testing

@Suite("Length-prefixed message framing")
struct MessageFramingTests {
    let allocator = ByteBufferAllocator()

    private func frame(_ text: String, encoding: MessageEncoding? = nil) throws -> ByteBuffer {
        try MessageFramer.frame(RawMessage(text), encoding: encoding, allocator: allocator)
    }

    @Test("a message is a zero flag, a big-endian length and the bytes")
    func prefix() throws {
        let framed = try frame("hi")
        #expect(Array(framed.readableBytesView) == [0, 0, 0, 0, 2, UInt8(ascii: "h"), UInt8(ascii: "i")])
    }

    @Test("messages split across chunks and several in one chunk are all read")
    func splitAndJoined() throws {
        var stream = try frame("first")
        stream.writeImmutableBuffer(try frame(""))
        stream.writeImmutableBuffer(try frame("third"))
        var deframer = MessageDeframer(maxMessageSize: 100)
        var texts: [String] = []
        // Feed one byte at a time, then check nothing is left.
        for index in 0..<stream.readableBytes {
            deframer.append(stream.getSlice(at: index, length: 1)!)
            while let message = try deframer.next() {
                texts.append(String(buffer: message))
            }
        }
        #expect(texts == ["first", "", "third"])
        try deframer.finish()
    }

    @Test("a message over the limit is refused from its prefix, before the body arrives")
    func oversize() throws {
        var deframer = MessageDeframer(maxMessageSize: 10)
        var prefix = allocator.buffer(capacity: 5)
        prefix.writeInteger(UInt8(0))
        prefix.writeInteger(UInt32(11))
        deframer.append(prefix)
        let error = #expect(throws: RPCError.self) { try deframer.next() }
        #expect(error?.code == .resourceExhausted)
    }

    @Test("a stream that ends inside a message is INTERNAL")
    func truncated() throws {
        var deframer = MessageDeframer(maxMessageSize: 100)
        var framed = try frame("hello")
        framed.moveWriterIndex(to: framed.writerIndex - 1)
        deframer.append(framed)
        #expect(try deframer.next() == nil)
        let error = #expect(throws: RPCError.self) { try deframer.finish() }
        #expect(error?.code == .internal)
    }

    @Test("a compressed message without a declared encoding is INTERNAL")
    func compressedWithoutEncoding() throws {
        var deframer = MessageDeframer(maxMessageSize: 100)
        deframer.append(try frame("hello", encoding: .gzip))
        let error = #expect(throws: RPCError.self) { try deframer.next() }
        #expect(error?.code == .internal)
    }

    @Test("a flag other than 0 or 1 is INTERNAL")
    func badFlag() throws {
        var framed = try frame("x")
        framed.setInteger(UInt8(2), at: framed.readerIndex)
        var deframer = MessageDeframer(maxMessageSize: 100)
        deframer.append(framed)
        #expect(throws: RPCError.self) { try deframer.next() }
    }

    @Test(
        "gzip and deflate messages round-trip and are flagged compressed",
        arguments: [MessageEncoding.gzip, .deflate]
    )
    func compressionRoundTrip(encoding: MessageEncoding) throws {
        let text = String(repeating: "compressible ", count: 100)
        let framed = try frame(text, encoding: encoding)
        #expect(framed.getInteger(at: framed.readerIndex, as: UInt8.self) == 1)
        #expect(framed.readableBytes < text.utf8.count)
        var deframer = MessageDeframer(maxMessageSize: 10_000, encoding: encoding)
        deframer.append(framed)
        let message = try #require(try deframer.next())
        #expect(String(buffer: message) == text)
        #expect(deframer.lastMessageWasCompressed)
    }

    @Test("a message that decompresses past the limit is RESOURCE_EXHAUSTED")
    func decompressionBomb() throws {
        let framed = try frame(String(repeating: "0", count: 100_000), encoding: .gzip)
        #expect(framed.readableBytes < 1_000)
        var deframer = MessageDeframer(maxMessageSize: 1_000, encoding: .gzip)
        deframer.append(framed)
        let error = #expect(throws: RPCError.self) { try deframer.next() }
        #expect(error?.code == .resourceExhausted)
    }

    @Test("encodings are looked up by name and listed for grpc-accept-encoding")
    func encodingNames() {
        #expect(MessageEncoding(name: "gzip".utf8) == .gzip)
        #expect(MessageEncoding(name: "snappy".utf8) == nil)
        #expect(MessageEncoding.parseAcceptList("identity, gzip,br") == [.identity, .gzip])
        #expect(MessageEncoding.acceptEncodingHeader == "gzip,deflate,identity")
    }
}
