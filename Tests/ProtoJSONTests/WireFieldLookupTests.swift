import ProtoJSON
import Testing

@Suite("One field read from a binary message without decoding it")
struct WireFieldLookupTests {
    @Test("the string field is found among others, nested messages skipped whole")
    func found() throws {
        let message =
            Wire.bytes(1, Wire.string(2, "inner token")) + Wire.int(3, -1) + Wire.fixed64(4, 7) + Wire.string(2, "r42")
            + Wire.fixed32(5, 1)
        #expect(try WireFieldLookup.string(2, in: message) == "r42")
    }

    @Test("the last occurrence wins, as proto3 parsers keep it")
    func lastWins() throws {
        #expect(try WireFieldLookup.string(2, in: Wire.string(2, "r1") + Wire.string(2, "r2")) == "r2")
    }

    @Test("a message without the field has none")
    func absent() throws {
        #expect(try WireFieldLookup.string(2, in: Wire.int(1, 5)) == nil)
        #expect(try WireFieldLookup.string(2, in: [UInt8]()) == nil)
    }

    @Test("truncated bytes are an error, not a guess", arguments: [[0x12, 0x05, 0x61], [0x12], [0x08]] as [[UInt8]])
    func malformed(bytes: [UInt8]) {
        #expect(throws: (any Error).self) { try WireFieldLookup.string(2, in: bytes) }
    }
}
