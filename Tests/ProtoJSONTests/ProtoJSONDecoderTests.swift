import ProtoJSON
import Testing

/// JSON to binary, one behaviour per case: the bytes are compared with hand-built binary.
@Suite struct ProtoJSONDecoderTests {
    static let allKinds = "isid.protojson.v1.AllKinds"
    static let wellKnown = "isid.protojson.v1.WellKnown"

    struct Case: CustomTestStringConvertible, Sendable {
        var behaviour: String
        var type: String = ProtoJSONDecoderTests.allKinds
        var json: String
        var binary: [UInt8]
        var testDescription: String { behaviour }
    }

    static let cases: [Case] = [
        Case(behaviour: "json_name keys", json: #"{"int32Value": 5}"#, binary: Wire.int(1, 5)),
        Case(behaviour: "proto name keys", json: #"{"int32_value": 5}"#, binary: Wire.int(1, 5)),
        Case(behaviour: "a custom json_name", json: #"{"customName": "x"}"#, binary: Wire.string(46, "x")),
        Case(
            behaviour: "int64 from a string keeps every digit",
            json: #"{"int64Value": "-9223372036854775808"}"#,
            binary: Wire.int(2, .min)
        ),
        Case(
            behaviour: "int64 from a number keeps every digit",
            json: #"{"int64Value": 9007199254740993}"#,
            binary: Wire.int(2, 9_007_199_254_740_993)
        ),
        Case(behaviour: "an integer with an exponent", json: #"{"int32Value": 1.5e3}"#, binary: Wire.int(1, 1500)),
        Case(
            behaviour: "sint32 is zigzag-encoded",
            json: #"{"sint32Value": -2}"#,
            binary: Wire.tag(5, 0) + Wire.varint(3)
        ),
        Case(
            behaviour: "a field at its default is not written",
            json: #"{"int32Value": 0, "stringValue": ""}"#,
            binary: []
        ),
        Case(
            behaviour: "a proto3 optional field at its default is written",
            json: #"{"maybeInt32": 0}"#,
            binary: Wire.int(41, 0)
        ),
        Case(
            behaviour: "-0.0 is written",
            json: #"{"doubleValue": -0.0}"#,
            binary: Wire.fixed64(12, (-0.0).bitPattern)
        ),
        Case(behaviour: "an enum by name", json: #"{"level": "LEVEL_NEGATIVE"}"#, binary: Wire.int(16, -3)),
        Case(
            behaviour: "an enum by number, declared or not",
            json: #"{"levelList": [2, 77]}"#,
            binary: Wire.bytes(32, Wire.varint(2) + Wire.varint(77))
        ),
        Case(
            behaviour: "repeated numbers are packed",
            json: #"{"int32List": [1, -1]}"#,
            binary: Wire.bytes(21, Wire.varint(1) + Wire.varint(UInt64.max))
        ),
        Case(
            behaviour: "[packed = false] is honoured",
            json: #"{"unpackedInt32List": [1, 2]}"#,
            binary: Wire.int(34, 1) + Wire.int(34, 2)
        ),
        Case(behaviour: "an empty array writes nothing", json: #"{"int32List": [], "stringList": []}"#, binary: []),
        Case(behaviour: "null leaves a field unset", json: #"{"int32Value": null, "child": null}"#, binary: []),
        Case(
            behaviour: "\"NaN\" and \"-Infinity\"",
            json: #"{"floatValue": "NaN", "doubleValue": "-Infinity"}"#,
            binary: Wire.fixed32(11, Float.nan.bitPattern) + Wire.fixed64(12, (-Double.infinity).bitPattern)
        ),
        Case(
            behaviour: "URL-safe unpadded base64",
            json: #"{"bytesValue": "-_8"}"#,
            binary: Wire.bytes(15, [0xFB, 0xFF])
        ),
        Case(
            behaviour: "escapes and surrogate pairs",
            json: #"{"stringValue": "\u00e9\ud83d\ude00\/"}"#,
            binary: Wire.string(14, "é😀/")
        ),
        Case(behaviour: "an empty message field is written", json: #"{"child": {}}"#, binary: Wire.bytes(17, [])),
        Case(
            behaviour: "a nested message of 128 bytes or more gets a two-byte length",
            json: #"{"child": {"stringValue": "\#(String(repeating: "x", count: 200))"}}"#,
            binary: Wire.bytes(17, Wire.string(14, String(repeating: "x", count: 200)))
        ),
        Case(
            behaviour: "map keys of every kind come from their text",
            type: "isid.protojson.v1.Maps",
            json: #"{"int64ToLevel": {"-1": "LEVEL_LOW"}, "boolToString": {"false": "f"}}"#,
            binary: Wire.bytes(3, Wire.int(1, -1) + Wire.int(2, 1))
                + Wire.bytes(12, Wire.int(1, 0) + Wire.string(2, "f"))
        ),
        Case(
            behaviour: "a Timestamp with an offset is stored in UTC",
            type: wellKnown,
            json: #"{"time": "1970-01-01T01:00:00.5+01:00"}"#,
            binary: Wire.bytes(1, Wire.int(2, 500_000_000))
        ),
        Case(
            behaviour: "a negative Duration",
            type: wellKnown,
            json: #"{"duration": "-1.5s"}"#,
            binary: Wire.bytes(2, Wire.int(1, -1) + Wire.int(2, -500_000_000))
        ),
        Case(
            behaviour: "a FieldMask's paths become snake_case",
            type: wellKnown,
            json: #"{"mask": "dates.plannedEnd,title"}"#,
            binary: Wire.bytes(3, Wire.string(1, "dates.planned_end") + Wire.string(1, "title"))
        ),
        Case(
            behaviour: "a wrapper from its bare value",
            type: wellKnown,
            json: #"{"int32Value": 0}"#,
            binary: Wire.bytes(13, [])
        ),
        Case(
            behaviour: "a Value from any JSON",
            type: wellKnown,
            json: #"{"value": [true, null]}"#,
            binary: Wire.bytes(5, Wire.bytes(6, Wire.bytes(1, Wire.int(4, 1)) + Wire.bytes(1, Wire.int(1, 0))))
        ),
        Case(
            behaviour: "a Value field from null holds null",
            type: wellKnown,
            json: #"{"value": null}"#,
            binary: Wire.bytes(5, Wire.int(1, 0))
        ),
        Case(
            behaviour: "an Any's @type may come after its fields",
            type: wellKnown,
            json: #"{"any": {"label": "r", "@type": "type.googleapis.com/isid.protojson.v1.Tree"}}"#,
            binary: Wire.bytes(
                8,
                Wire.string(1, "type.googleapis.com/isid.protojson.v1.Tree") + Wire.bytes(2, Wire.string(1, "r"))
            )
        ),
        Case(
            behaviour: "a top-level Duration from a string",
            type: "google.protobuf.Duration",
            json: #""2s""#,
            binary: Wire.int(1, 2)
        ),
    ]

    @Test(arguments: cases)
    func decodes(_ testCase: Case) throws {
        #expect(try binary(testCase.json, testCase.type) == testCase.binary)
    }

    struct Failure: CustomTestStringConvertible, Sendable {
        var behaviour: String
        var type: String = ProtoJSONDecoderTests.allKinds
        var json: String
        var kind: ProtoJSONError.Kind
        var path: String
        var testDescription: String { behaviour }
    }

    static let failures: [Failure] = [
        Failure(
            behaviour: "an error names the field's path in proto names",
            type: "isid.programmes.v1.CreateProgrammeRequest",
            json: #"{"programme": {"funding": [{}, {}, {"amount": {"minorUnits": "12.5"}}]}}"#,
            kind: .invalidValue,
            path: "programme.funding[2].amount.minor_units"
        ),
        Failure(
            behaviour: "an unknown field, named",
            json: #"{"child": {"nope": 1}}"#,
            kind: .unknownField,
            path: "child.nope"
        ),
        Failure(
            behaviour: "one field by both names",
            json: #"{"int32Value": 1, "int32_value": 2}"#,
            kind: .invalidValue,
            path: "int32_value"
        ),
        Failure(
            behaviour: "int32 out of range",
            json: #"{"int32Value": 2147483648}"#,
            kind: .invalidValue,
            path: "int32_value"
        ),
        Failure(
            behaviour: "uint64 negative",
            json: #"{"uint64Value": "-1"}"#,
            kind: .invalidValue,
            path: "uint64_value"
        ),
        Failure(
            behaviour: "a fraction for an integer",
            json: #"{"int32List": [1, 2.5]}"#,
            kind: .invalidValue,
            path: "int32_list[1]"
        ),
        Failure(
            behaviour: "a string for a bool",
            json: #"{"boolValue": "true"}"#,
            kind: .invalidValue,
            path: "bool_value"
        ),
        Failure(
            behaviour: "an enum name the enum lacks",
            json: #"{"level": "LEVEL_MAX"}"#,
            kind: .invalidValue,
            path: "level"
        ),
        Failure(
            behaviour: "a number too large for a double",
            json: #"{"doubleValue": 2e308}"#,
            kind: .invalidValue,
            path: "double_value"
        ),
        Failure(
            behaviour: "base64 with a stray character",
            json: #"{"bytesValue": "ab$c"}"#,
            kind: .invalidValue,
            path: "bytes_value"
        ),
        Failure(
            behaviour: "two members of a oneof",
            type: "isid.protojson.v1.Choice",
            json: #"{"text": "a", "blob": ""}"#,
            kind: .invalidValue,
            path: "blob"
        ),
        Failure(
            behaviour: "a map key of the wrong kind",
            type: "isid.protojson.v1.Maps",
            json: #"{"int32ToString": {"1": "a", "x": "b"}}"#,
            kind: .invalidValue,
            path: "int32_to_string[\"x\"]"
        ),
        Failure(
            behaviour: "a Timestamp in local time",
            type: wellKnown,
            json: #"{"times": ["2024-01-01T00:00:00"]}"#,
            kind: .invalidValue,
            path: "times[0]"
        ),
        Failure(
            behaviour: "an Any without @type",
            type: wellKnown,
            json: #"{"any": {"label": "x"}}"#,
            kind: .invalidValue,
            path: "any"
        ),
        Failure(
            behaviour: "an Any of a type outside the pool",
            type: wellKnown,
            json: #"{"any": {"@type": "type.googleapis.com/x.Y"}}"#,
            kind: .unknownType,
            path: "any.@type"
        ),
        Failure(behaviour: "not JSON: a trailing comma", json: #"{"int32Value": 1,}"#, kind: .malformedJSON, path: ""),
        Failure(
            behaviour: "not JSON: a lone surrogate",
            json: #"{"stringValue": "\udc00"}"#,
            kind: .malformedJSON,
            path: ""
        ),
        Failure(behaviour: "not JSON: two values", json: "{} {}", kind: .malformedJSON, path: ""),
        Failure(behaviour: "an array for a message", json: "[]", kind: .invalidValue, path: ""),
    ]

    @Test(arguments: failures)
    func refuses(_ failure: Failure) {
        #expect {
            try binary(failure.json, failure.type)
        } throws: { error in
            guard let error = error as? ProtoJSONError else { return false }
            return error.kind == failure.kind && error.path == failure.path
        }
    }

    @Test("bytes that are not UTF-8 are not JSON")
    func refusesInvalidUTF8() {
        let decoder = ProtoJSONDecoder(pool: pool)
        let json: [UInt8] = Array(#"{"stringValue": ""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        #expect(throws: ProtoJSONError.self) { try decoder.decode(json, messageType: Self.allKinds) }
    }

    @Test("ignoreUnknownFields skips unknown keys and unknown enum names")
    func ignoresUnknown() throws {
        let options = ProtoJSONDecodingOptions(ignoreUnknownFields: true)
        #expect(
            try binary(#"{"nope": {"x": [1]}, "int32Value": 1, "level": "LEVEL_MAX"}"#, Self.allKinds, options)
                == Wire.int(1, 1)
        )
    }

    @Test("JSON deeper than the depth limit is refused")
    func depthLimit() {
        let options = ProtoJSONDecodingOptions(limits: JSONLimits(maxDepth: 3))
        #expect(throws: ProtoJSONError.self) {
            try binary(#"{"left": {"left": {"left": {}}}}"#, "isid.protojson.v1.Tree", options)
        }
        #expect(throws: Never.self) { try binary(#"{"left": {"left": {}}}"#, "isid.protojson.v1.Tree", options) }
    }

    @Test("JSON larger than the size limit is refused")
    func sizeLimit() {
        let options = ProtoJSONDecodingOptions(limits: JSONLimits(maxBytes: 16))
        #expect(throws: ProtoJSONError.self) {
            try binary(#"{"label": "0123456789"}"#, "isid.protojson.v1.Tree", options)
        }
    }

    @Test("an unknown message type is an error")
    func unknownType() {
        #expect(throws: ProtoJSONError.self) { try binary("{}", "isid.nothing.v1.Nothing") }
    }
}
