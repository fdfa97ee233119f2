import NIOCore
import ProtobufRuntime
import StandardProtos
import Testing

@Suite("Malformed input is a ProtobufDecodingError")
struct MalformedInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let bytes: [UInt8]
        let reason: ProtobufDecodingError.Reason
    }

    static let helloRequestCases: [Case] = [
        Case(testDescription: "truncated varint", bytes: [0x10, 0xFF], reason: .malformedWireData),
        Case(
            testDescription: "varint longer than 10 bytes",
            bytes: [0x10] + [UInt8](repeating: 0xFF, count: 11) + [0x01],
            reason: .malformedWireData
        ),
        Case(testDescription: "wire type 7 does not exist", bytes: [0x0F, 0x00], reason: .malformedWireData),
        Case(
            testDescription: "length prefix beyond the buffer",
            bytes: [0x0A, 0x05, 0x61],
            reason: .malformedWireData
        ),
        Case(testDescription: "field number 0", bytes: [0x00, 0x01], reason: .malformedWireData),
        Case(
            testDescription: "invalid UTF-8 in a string field",
            bytes: [0x0A, 0x02, 0xC3, 0x28],
            reason: .invalidUTF8
        ),
        Case(testDescription: "UTF-8-encoded surrogate", bytes: [0x0A, 0x03, 0xED, 0xA0, 0x80], reason: .invalidUTF8),
    ]

    @Test("HelloRequest rejects bad bytes, from [UInt8] and ByteBuffer", arguments: helloRequestCases)
    func helloRequest(_ bad: Case) {
        let error = #expect(throws: ProtobufDecodingError.self) {
            try Helloworld_HelloRequest(serializedBytes: bad.bytes)
        }
        #expect(error?.reason == bad.reason)
        #expect(error?.messageName == "helloworld.HelloRequest")
        #expect(throws: ProtobufDecodingError.self) {
            try Helloworld_HelloRequest(serializedBytes: ByteBuffer(bytes: bad.bytes))
        }
    }

    struct NestedCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let decode: @Sendable () throws -> Void
    }

    static let nestedUTF8Cases: [NestedCase] = [
        // Repeated.messages (10) holding a Scalars whose string_value (14) is invalid.
        NestedCase(testDescription: "string in a sub-message") {
            _ = try Isid_Testing_V1_Repeated(serializedBytes: [0x52, 0x04, 0x72, 0x02, 0xC3, 0x28])
        },
        // Repeated.strings (8): the second element is invalid.
        NestedCase(testDescription: "element of a repeated string") {
            _ = try Isid_Testing_V1_Repeated(serializedBytes: [0x42, 0x01, 0x61, 0x42, 0x01, 0xFF])
        },
        // Maps.string_to_int32 (1): an entry whose key is invalid.
        NestedCase(testDescription: "map key") {
            _ = try Isid_Testing_V1_Maps(serializedBytes: [0x0A, 0x05, 0x0A, 0x01, 0xFF, 0x10, 0x01])
        },
        // Choice.text (2): a oneof member.
        NestedCase(testDescription: "oneof member") {
            _ = try Isid_Testing_V1_Choice(serializedBytes: [0x12, 0x01, 0x80])
        },
    ]

    @Test("invalid UTF-8 is found wherever the string is", arguments: nestedUTF8Cases)
    func nestedInvalidUTF8(_ bad: NestedCase) {
        let error = #expect(throws: ProtobufDecodingError.self) { try bad.decode() }
        #expect(error?.reason == .invalidUTF8)
    }

    @Test("a sub-message whose length runs past its parent is rejected")
    func nestedLengthOverrun() {
        // SimpleRequest.payload (field 3) says 5 bytes but holds a 3-byte body field claiming 9.
        #expect(throws: ProtobufDecodingError.self) {
            try Grpc_Testing_SimpleRequest(serializedBytes: [0x1A, 0x05, 0x12, 0x09, 0x00, 0x01, 0x02])
        }
    }

    @Test("the error describes the message and the reason")
    func errorDescription() {
        let error = ProtobufDecodingError(reason: .invalidUTF8, messageName: "helloworld.HelloRequest")
        #expect(error.description == "cannot decode helloworld.HelloRequest: invalid UTF-8 in a string field")
    }
}
