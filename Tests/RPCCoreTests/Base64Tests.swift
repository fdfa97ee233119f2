import RPCCore
import Testing

@Suite("Base64 for -bin metadata")
struct Base64Tests {
    @Test(
        "encodes padded and unpadded",
        arguments: [
            ([UInt8](), "", ""),
            ([0xAB], "qw==", "qw"),
            ([0xAB, 0xAB], "q6s=", "q6s"),
            ([0xAB, 0xAB, 0xAB], "q6ur", "q6ur"),
            (Array("hello".utf8), "aGVsbG8=", "aGVsbG8"),
        ]
    )
    func encode(bytes: [UInt8], padded: String, unpadded: String) {
        #expect(Base64.encode(bytes, padded: true) == padded)
        #expect(Base64.encode(bytes, padded: false) == unpadded)
        #expect(Base64.decode(padded) == bytes)
        #expect(Base64.decode(unpadded) == bytes)
    }

    @Test("text that is not base64 decodes to nil", arguments: ["a", "ab!c", "q6s==", "====", "q=6s"])
    func invalid(text: String) {
        #expect(Base64.decode(text) == nil)
    }
}
