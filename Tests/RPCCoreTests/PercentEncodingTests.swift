import RPCCore
import Testing

@Suite("grpc-message percent-encoding")
struct PercentEncodingTests {
    @Test("printable ASCII other than % passes through unchanged")
    func plainText() {
        #expect(PercentEncoding.encode("test status message") == "test status message")
    }

    @Test(
        "control characters, % and non-ASCII are %XX of their UTF-8",
        arguments: [
            ("100%", "100%25"),
            ("\t\n", "%09%0A"),
            ("☺", "%E2%98%BA"),
            ("😈", "%F0%9F%98%88"),
        ]
    )
    func encoded(text: String, encoded: String) {
        #expect(PercentEncoding.encode(text) == encoded)
        #expect(PercentEncoding.decode(Array(encoded.utf8)) == text)
    }

    @Test("the interop special status message survives a round trip")
    func specialMessage() {
        let message = "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n"
        #expect(PercentEncoding.decode(Array(PercentEncoding.encode(message).utf8)) == message)
    }

    @Test("a malformed escape is kept as it is", arguments: ["%", "%4", "%zz", "abc%"])
    func malformed(text: String) {
        #expect(PercentEncoding.decode(Array(text.utf8)) == text)
    }
}
