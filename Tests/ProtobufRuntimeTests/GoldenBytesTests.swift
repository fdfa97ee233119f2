import NIOCore
import ProtobufRuntime
import Testing

@Suite("Golden bytes: our encoder against protoc --encode")
struct GoldenBytesTests {
    @Test("serializedBytes() equals protoc's encoding byte for byte", arguments: GoldenCase.all)
    func serializedBytesMatchProtoc(_ golden: GoldenCase) {
        #expect(golden.message.serializedBytes() == golden.golden)
    }

    @Test("serializedSize is the length of protoc's encoding", arguments: GoldenCase.all)
    func serializedSizeMatchesProtoc(_ golden: GoldenCase) {
        #expect(golden.message.serializedSize == golden.golden.count)
    }

    @Test("serialize(into:) appends protoc's encoding after what the buffer holds", arguments: GoldenCase.all)
    func serializeIntoAppends(_ golden: GoldenCase) {
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        buffer.writeBytes([0xAA, 0xBB])
        golden.message.serialize(into: &buffer)
        #expect(buffer.readableBytesView.elementsEqual([0xAA, 0xBB] + golden.golden))
    }

    @Test("decoding protoc's bytes gives the message we built", arguments: GoldenCase.all)
    func decodingProtocBytesGivesTheMessage(_ golden: GoldenCase) throws {
        let decoded = try golden.decode(golden.golden)
        #expect(golden.matches(decoded))
    }
}
