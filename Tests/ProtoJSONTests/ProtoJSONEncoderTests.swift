import ProtoJSON
import Testing

/// Binary to JSON, one behaviour per case, on the test-only messages of json_cases.proto (field numbers there).
@Suite struct ProtoJSONEncoderTests {
    static let allKinds = "isid.protojson.v1.AllKinds"
    static let wellKnown = "isid.protojson.v1.WellKnown"

    struct Case: CustomTestStringConvertible, Sendable {
        var behaviour: String
        var type: String = ProtoJSONEncoderTests.allKinds
        var binary: [UInt8]
        var json: String
        var testDescription: String { behaviour }
    }

    static let cases: [Case] = [
        Case(behaviour: "an empty message is {}", binary: [], json: "{}"),
        Case(behaviour: "int64 is a string", binary: Wire.int(2, -1), json: #"{"int64Value":"-1"}"#),
        Case(
            behaviour: "uint64 keeps all 20 digits",
            binary: Wire.int(4, -1),
            json: #"{"uint64Value":"18446744073709551615"}"#
        ),
        Case(behaviour: "int32 is a number", binary: Wire.int(1, -2_147_483_648), json: #"{"int32Value":-2147483648}"#),
        Case(
            behaviour: "sint32 is zigzag-decoded",
            binary: Wire.tag(5, 0) + Wire.varint(3),
            json: #"{"sint32Value":-2}"#
        ),
        Case(
            behaviour: "sfixed64 is a string",
            binary: Wire.fixed64(10, UInt64(bitPattern: -5)),
            json: #"{"sfixed64Value":"-5"}"#
        ),
        Case(behaviour: "a field at its default is omitted", binary: Wire.int(1, 0) + Wire.string(14, ""), json: "{}"),
        Case(
            behaviour: "-0.0 is not the default",
            binary: Wire.fixed64(12, (-0.0).bitPattern),
            json: #"{"doubleValue":-0.0}"#
        ),
        Case(
            behaviour: "a proto3 optional field at its default is present",
            binary: Wire.int(41, 0),
            json: #"{"maybeInt32":0}"#
        ),
        Case(behaviour: "an enum is its name", binary: Wire.int(16, 2), json: #"{"level":"LEVEL_HIGH"}"#),
        Case(
            behaviour: "a negative enum value is its name",
            binary: Wire.int(16, -3),
            json: #"{"level":"LEVEL_NEGATIVE"}"#
        ),
        Case(behaviour: "an unknown enum number stays a number", binary: Wire.int(16, 77), json: #"{"level":77}"#),
        Case(
            behaviour: "NaN and infinities are strings",
            binary: Wire.fixed32(11, Float.nan.bitPattern) + Wire.fixed64(12, (-Double.infinity).bitPattern),
            json: #"{"floatValue":"NaN","doubleValue":"-Infinity"}"#
        ),
        Case(
            behaviour: "a float has its own shortest digits",
            binary: Wire.fixed32(11, Float(0.1).bitPattern),
            json: #"{"floatValue":0.1}"#
        ),
        Case(
            behaviour: "bytes are padded standard base64",
            binary: Wire.bytes(15, [0xFB, 0xFF]),
            json: #"{"bytesValue":"+/8="}"#
        ),
        Case(
            behaviour: "strings escape quotes, backslashes and control characters only",
            binary: Wire.string(14, "a\"\\\n\u{1}é/"),
            json: #"{"stringValue":"a\"\\\n\u0001é/"}"#
        ),
        Case(behaviour: "custom json_name is the key", binary: Wire.string(46, "x"), json: #"{"customName":"x"}"#),
        Case(
            behaviour: "fields come in field-number order whatever the wire order",
            binary: Wire.string(14, "s") + Wire.int(1, 1),
            json: #"{"int32Value":1,"stringValue":"s"}"#
        ),
        Case(
            behaviour: "the last value of a singular field wins",
            binary: Wire.int(1, 1) + Wire.int(1, 2),
            json: #"{"int32Value":2}"#
        ),
        Case(
            behaviour: "a singular message given twice is merged",
            binary: Wire.bytes(17, Wire.int(1, 1)) + Wire.bytes(17, Wire.int(2, 2)),
            json: #"{"child":{"int32Value":1,"int64Value":"2"}}"#
        ),
        Case(
            behaviour: "packed and unpacked repeated values are both read",
            binary: Wire.bytes(21, Wire.varint(1) + Wire.varint(2)) + Wire.int(21, 3),
            json: #"{"int32List":[1,2,3]}"#
        ),
        Case(behaviour: "an empty packed run is an absent field", binary: Wire.bytes(21, []), json: "{}"),
        Case(
            behaviour: "unknown fields are dropped",
            binary: Wire.int(99, 5) + Wire.int(1, 1),
            json: #"{"int32Value":1}"#
        ),
        Case(
            behaviour: "a value of the wrong wire type is an unknown field",
            binary: Wire.string(1, "x"),
            json: "{}"
        ),
        Case(
            behaviour: "a map key given twice keeps its last value",
            type: "isid.protojson.v1.Maps",
            binary: Wire.bytes(1, Wire.string(1, "a") + Wire.int(2, 1))
                + Wire.bytes(1, Wire.string(1, "a") + Wire.int(2, 2)),
            json: #"{"stringToInt32":{"a":2}}"#
        ),
        Case(
            behaviour: "a map entry without value has the default value",
            type: "isid.protojson.v1.Maps",
            binary: Wire.bytes(2, Wire.int(1, -5)),
            json: #"{"int32ToString":{"-5":""}}"#
        ),
        Case(
            behaviour: "bool map keys are quoted",
            type: "isid.protojson.v1.Maps",
            binary: Wire.bytes(12, Wire.int(1, 1) + Wire.string(2, "t")),
            json: #"{"boolToString":{"true":"t"}}"#
        ),
        Case(
            behaviour: "a Timestamp has 0, 3, 6 or 9 fractional digits",
            type: wellKnown,
            binary: Wire.bytes(1, Wire.int(1, 1_700_000_000) + Wire.int(2, 120_000_000))
                + Wire.bytes(18, Wire.int(2, 1000)) + Wire.bytes(18, Wire.int(2, 1)) + Wire.bytes(18, []),
            json:
                #"{"time":"2023-11-14T22:13:20.120Z","times":["1970-01-01T00:00:00.000001Z","1970-01-01T00:00:00.000000001Z","1970-01-01T00:00:00Z"]}"#
        ),
        Case(
            behaviour: "a Timestamp before 1970 counts back",
            type: wellKnown,
            binary: Wire.bytes(1, Wire.int(1, -62_135_596_800)),
            json: #"{"time":"0001-01-01T00:00:00Z"}"#
        ),
        Case(
            behaviour: "a negative Duration under a second keeps its sign",
            type: wellKnown,
            binary: Wire.bytes(2, Wire.int(2, -500_000_000)),
            json: #"{"duration":"-0.500s"}"#
        ),
        Case(
            behaviour: "a FieldMask is lowerCamelCase paths joined by commas",
            type: wellKnown,
            binary: Wire.bytes(3, Wire.string(1, "dates.planned_end") + Wire.string(1, "title")),
            json: #"{"mask":"dates.plannedEnd,title"}"#
        ),
        Case(
            behaviour: "wrappers are bare values, int64 still a string",
            type: wellKnown,
            binary: Wire.bytes(11, Wire.int(1, 7)) + Wire.bytes(15, []),
            json: #"{"int64Value":"7","boolValue":false}"#
        ),
        Case(
            behaviour: "Struct, Value and ListValue are plain JSON",
            type: wellKnown,
            binary: Wire.bytes(4, Wire.bytes(1, Wire.string(1, "k") + Wire.bytes(2, Wire.int(4, 1))))
                + Wire.bytes(5, []) + Wire.bytes(6, Wire.bytes(1, Wire.string(3, "s")) + Wire.bytes(1, Wire.int(1, 0))),
            json: #"{"struct":{"k":true},"value":null,"list":["s",null]}"#
        ),
        Case(behaviour: "Empty is {}", type: wellKnown, binary: Wire.bytes(7, []), json: #"{"empty":{}}"#),
        Case(
            behaviour: "an Any holds its type's fields beside @type",
            type: wellKnown,
            binary: Wire.bytes(
                8,
                Wire.string(1, "type.googleapis.com/isid.protojson.v1.Tree") + Wire.bytes(2, Wire.string(1, "root"))
            ),
            json: #"{"any":{"@type":"type.googleapis.com/isid.protojson.v1.Tree","label":"root"}}"#
        ),
        Case(
            behaviour: "an Any of a well-known type holds it as value",
            type: wellKnown,
            binary: Wire.bytes(
                8,
                Wire.string(1, "type.googleapis.com/google.protobuf.Duration") + Wire.bytes(2, Wire.int(1, 3))
            ),
            json: #"{"any":{"@type":"type.googleapis.com/google.protobuf.Duration","value":"3s"}}"#
        ),
        Case(
            behaviour: "an Any of Empty is a plain message's: no value",
            type: wellKnown,
            binary: Wire.bytes(8, Wire.string(1, "type.googleapis.com/google.protobuf.Empty")),
            json: #"{"any":{"@type":"type.googleapis.com/google.protobuf.Empty"}}"#
        ),
        Case(
            behaviour: "a NullValue field is null",
            type: "isid.protojson.v1.Choice",
            binary: Wire.int(7, 0),
            json: #"{"null":null}"#
        ),
        Case(
            behaviour: "a top-level Timestamp is a string",
            type: "google.protobuf.Timestamp",
            binary: Wire.int(1, 86400),
            json: #""1970-01-02T00:00:00Z""#
        ),
    ]

    @Test(arguments: cases)
    func encodes(_ testCase: Case) throws {
        #expect(try jsonText(testCase.binary, testCase.type) == testCase.json)
    }

    struct Failure: CustomTestStringConvertible, Sendable {
        var behaviour: String
        var type: String = ProtoJSONEncoderTests.allKinds
        var binary: [UInt8]
        var kind: ProtoJSONError.Kind
        var path: String
        var testDescription: String { behaviour }
    }

    static let failures: [Failure] = [
        Failure(behaviour: "a truncated varint", binary: [0x08, 0x80], kind: .malformedBinary, path: ""),
        Failure(behaviour: "a length past the end", binary: [0x72, 0x05, 0x61], kind: .malformedBinary, path: ""),
        Failure(behaviour: "field number 0", binary: [0x00, 0x01], kind: .malformedBinary, path: ""),
        Failure(
            behaviour: "a string that is not UTF-8, named by its path",
            binary: Wire.bytes(33, []) + Wire.bytes(33, Wire.bytes(17, Wire.bytes(14, [0xC3, 0x28]))),
            kind: .malformedBinary,
            path: "children[1].child.string_value"
        ),
        Failure(
            behaviour: "a Timestamp after 9999",
            type: ProtoJSONEncoderTests.wellKnown,
            binary: Wire.bytes(1, Wire.int(1, 253_402_300_800)),
            kind: .invalidValue,
            path: "time"
        ),
        Failure(
            behaviour: "a Duration with mixed signs",
            type: ProtoJSONEncoderTests.wellKnown,
            binary: Wire.bytes(2, Wire.int(1, 1) + Wire.int(2, -1)),
            kind: .invalidValue,
            path: "duration"
        ),
        Failure(
            behaviour: "a FieldMask path that cannot be lowerCamelCase",
            type: ProtoJSONEncoderTests.wellKnown,
            binary: Wire.bytes(3, Wire.string(1, "plannedEnd")),
            kind: .invalidValue,
            path: "mask"
        ),
        Failure(
            behaviour: "a Value number that is not finite",
            type: ProtoJSONEncoderTests.wellKnown,
            binary: Wire.bytes(5, Wire.fixed64(2, Double.nan.bitPattern)),
            kind: .invalidValue,
            path: "value"
        ),
        Failure(
            behaviour: "an Any of a type outside the pool",
            type: ProtoJSONEncoderTests.wellKnown,
            binary: Wire.bytes(8, Wire.string(1, "type.googleapis.com/x.Unknown")),
            kind: .unknownType,
            path: "any"
        ),
    ]

    @Test(arguments: failures)
    func refuses(_ failure: Failure) {
        #expect {
            try jsonText(failure.binary, failure.type)
        } throws: { error in
            guard let error = error as? ProtoJSONError else { return false }
            return error.kind == failure.kind && error.path == failure.path
        }
    }

    @Test("emitDefaultValues writes fields without presence, not messages or optional ones")
    func emitsDefaults() throws {
        let json = try jsonText([], "isid.protojson.v1.Tree", .init(emitDefaultValues: true))
        #expect(json == #"{"label":"","children":[]}"#)
    }

    @Test("useProtoFieldNames keys by the proto name")
    func protoNames() throws {
        #expect(
            try jsonText(Wire.string(46, "x"), Self.allKinds, .init(useProtoFieldNames: true)) == #"{"renamed":"x"}"#
        )
    }

    @Test("messages nested deeper than the limit are refused")
    func depthLimit() {
        var binary: [UInt8] = []
        for _ in 0..<5 { binary = Wire.bytes(2, binary) }
        #expect(throws: ProtoJSONError.self) { try jsonText(binary, "isid.protojson.v1.Tree", .init(maxDepth: 4)) }
        #expect(throws: Never.self) { try jsonText(binary, "isid.protojson.v1.Tree", .init(maxDepth: 6)) }
    }

    @Test("encodeField writes one field's JSON value")
    func encodesOneField() throws {
        let encoder = ProtoJSONEncoder(pool: pool)
        let binary = Wire.int(1, 5) + Wire.bytes(21, Wire.varint(1) + Wire.varint(2))
        #expect(text(try encoder.encodeField(binary, messageType: Self.allKinds, field: "int32_list")) == "[1,2]")
        #expect(text(try encoder.encodeField(binary, messageType: Self.allKinds, field: "stringValue")) == #""""#)
    }
}

/// Strings are scanned eight bytes at a time: a character that needs escaping (or, when parsing, a non-ASCII
/// one) must be found wherever it falls relative to those eight-byte steps.
@Suite struct StringScanningTests {
    static let specials: [(raw: String, escaped: String)] = [
        ("\"", #"\""#), ("\\", #"\\"#), ("\n", #"\n"#), ("\u{1F}", #"\u001f"#), ("é", "é"), ("😀", "😀"),
    ]

    @Test("each special character at each offset from 0 to 19", arguments: 0..<20)
    func specialAtOffset(_ offset: Int) throws {
        for special in Self.specials {
            let prefix = String(repeating: "a", count: offset)
            let raw = prefix + special.raw + "tail-of-twelve"
            let json = #"{"label":""# + prefix + special.escaped + #"tail-of-twelve"}"#
            let wire = Wire.string(1, raw)
            #expect(try jsonText(wire, "isid.protojson.v1.Tree") == json)
            #expect(try binary(json, "isid.protojson.v1.Tree") == wire)
        }
    }

    @Test("a raw control character is refused at each offset", arguments: 0..<20)
    func controlCharacterAtOffset(_ offset: Int) {
        let json = #"{"label":""# + String(repeating: "a", count: offset) + "\u{1}" + #"bbbbbbbbbb"}"#
        #expect(throws: ProtoJSONError.self) { try binary(json, "isid.protojson.v1.Tree") }
    }
}
