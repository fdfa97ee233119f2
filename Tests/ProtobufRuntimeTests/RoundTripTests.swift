import NIOCore
import ProtobufRuntime
import StandardProtos
import Testing

@Suite("Round trips and value semantics")
struct RoundTripTests {
    @Test("decode(encode(m)) == m, from [UInt8] and from ByteBuffer", arguments: GoldenCase.all)
    func roundTrip(_ golden: GoldenCase) throws {
        let bytes = golden.message.serializedBytes()
        #expect(golden.matches(try golden.decode(bytes)))

        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        golden.message.serialize(into: &buffer)
        let fromBuffer = try type(of: golden.message).init(serializedBytes: buffer)
        #expect(golden.matches(fromBuffer))
    }

    @Test("an unrecognized enum value survives decoding and re-encoding")
    func unrecognizedEnumRoundTrip() throws {
        let decoded = try Grpc_Health_V1_HealthCheckResponse(serializedBytes: Goldens.healthUnrecognizedStatus)
        #expect(decoded.status == .unrecognized(42))
        #expect(decoded.status.rawValue == 42)
        #expect(decoded.serializedBytes() == Goldens.healthUnrecognizedStatus)

        let repeated = try Isid_Testing_V1_Repeated(serializedBytes: Goldens.repeatedPackedAndUnpacked)
        #expect(repeated.colors == [.red, .infrared, .unrecognized(9)])
    }

    @Test("map entries with default keys and values decode like protoc's and re-encode to an equal message")
    func defaultMapEntries() throws {
        // protoc writes every map entry's key and value; protobuf-c (proto3 rules for the entry message) omits
        // defaults. Both are valid encodings of the same map, so this case is proved by decoding, not bytes.
        let expected = Isid_Testing_V1_Maps.with {
            $0.stringToInt32 = ["": 0]
            $0.int64ToString = [0: ""]
            $0.boolToBytes = [false: [], true: []]
            $0.uint32ToMessage = [0: .init()]
            $0.stringToColor = ["": .unspecified]
        }
        #expect(try Isid_Testing_V1_Maps(serializedBytes: Goldens.mapsDefaultKeysAndValues) == expected)
        #expect(try Isid_Testing_V1_Maps(serializedBytes: expected.serializedBytes()) == expected)
    }

    @Test("a field inside a type cycle keeps value semantics")
    func boxedFieldsAreValues() {
        let original = Isid_Testing_V1_Tree.with { $0.left = .with { $0.label = "a" } }
        var copy = original
        copy.left?.label = "b"
        #expect(original.left?.label == "a")
        #expect(copy.left?.label == "b")
        #expect(original != copy)
    }

    @Test("oneof accessors read the default unless their member is set, and setting one replaces the other")
    func oneofAccessors() {
        var request = Grpc_Reflection_V1_ServerReflectionRequest()
        #expect(request.messageRequest == nil)
        #expect(request.fileByFilename == "")
        request.fileByFilename = "a.proto"
        request.listServices = "*"
        #expect(request.messageRequest == .listServices("*"))
        #expect(request.fileByFilename == "")
    }

    @Test("proto3 optional distinguishes unset from the default")
    func proto3OptionalPresence() throws {
        let unset = try Isid_Testing_V1_Optionals(serializedBytes: [])
        #expect(unset.maybeInt32 == nil)
        let zero = try Isid_Testing_V1_Optionals(serializedBytes: Goldens.optionalsSetToDefaults)
        #expect(zero.maybeInt32 == 0)
        #expect(zero.maybeString == "")
        #expect(zero.maybeMessage == .init())
    }

    @Test("messages too big for the arena's stack block lower through heap blocks")
    func largeMessages() throws {
        let message = Isid_Testing_V1_Repeated.with {
            $0.blobs = [[UInt8](repeating: 7, count: 100_000), [1, 2, 3]]
            $0.strings = (0..<5_000).map { "string number \($0)" }
            $0.messages = (0..<2_000).map { index in .with { $0.stringValue = "message \(index)" } }
        }
        let bytes = message.serializedBytes()
        #expect(bytes.count == message.serializedSize)
        #expect(try Isid_Testing_V1_Repeated(serializedBytes: bytes) == message)
    }

    @Test("protoMessageName is the fully-qualified proto name")
    func messageNames() {
        #expect(Helloworld_HelloRequest.protoMessageName == "helloworld.HelloRequest")
        #expect(Google_Rpc_QuotaFailure.Violation.protoMessageName == "google.rpc.QuotaFailure.Violation")
    }
}
