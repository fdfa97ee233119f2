import ProtoJSON
import Testing

/// The codec against protobuf's own json_format (Python), on the messages, accepted inputs and rejected inputs
/// scripts/generate-protojson-fixtures.py recorded.
@Suite struct GoldenFixtureTests {
    @Test("binary to JSON equals MessageToDict", arguments: fixture.messages)
    func encodesLikeJsonFormat(_ message: Fixture.Message) throws {
        let json = try JSONValue(parsing: try jsonText(base64(message.binary), message.type))
        #expect(json == message.json, "\(json.difference(from: message.json) ?? "")")
    }

    @Test("with emitDefaultValues, equals always_print_fields_with_no_presence", arguments: fixture.messages)
    func encodesDefaultsLikeJsonFormat(_ message: Fixture.Message) throws {
        let json = try JSONValue(
            parsing: jsonText(base64(message.binary), message.type, .init(emitDefaultValues: true))
        )
        #expect(json == message.json_with_defaults, "\(json.difference(from: message.json_with_defaults) ?? "")")
    }

    @Test("with useProtoFieldNames, equals preserving_proto_field_name", arguments: fixture.messages)
    func encodesProtoNamesLikeJsonFormat(_ message: Fixture.Message) throws {
        let json = try JSONValue(
            parsing: jsonText(base64(message.binary), message.type, .init(useProtoFieldNames: true))
        )
        #expect(json == message.json_proto_names, "\(json.difference(from: message.json_proto_names) ?? "")")
    }

    /// JSON back to binary: the same message as Python's, compared through its JSON (map entries and Struct
    /// members may come in another order than Python's deterministic serialization sorts them in).
    @Test("MessageToDict's JSON decodes to the same message", arguments: fixture.messages)
    func decodesJsonFormatOutput(_ message: Fixture.Message) throws {
        let decoded = try binary(message.json_text, message.type)
        let json = try JSONValue(parsing: try jsonText(decoded, message.type))
        #expect(json == message.json, "\(json.difference(from: message.json) ?? "")")
    }

    /// Where order cannot differ (no map, no Struct), the bytes are Python's.
    @Test(
        "MessageToDict's JSON decodes to Python's bytes",
        arguments: fixture.messages.filter { !hasMapOrStruct($0.type) }
    )
    func decodesToPythonBytes(_ message: Fixture.Message) throws {
        #expect(try binary(message.json_text, message.type) == base64(message.binary))
    }

    @Test("JSON json_format accepts decodes to Python's message", arguments: fixture.parse_cases)
    func decodesAcceptedInput(_ parseCase: Fixture.ParseCase) throws {
        let decoded = try binary(parseCase.input, parseCase.type)
        let expected = try JSONValue(parsing: try jsonText(base64(parseCase.binary), parseCase.type))
        #expect(expected == parseCase.json)
        #expect(try JSONValue(parsing: try jsonText(decoded, parseCase.type)) == expected)
    }

    /// Where neither a map nor a Struct can order things differently (the inputs give fields in field-number
    /// order), the bytes are Python's too.
    @Test(
        "JSON json_format accepts decodes to Python's bytes",
        arguments: fixture.parse_cases.filter { !hasMapOrStruct($0.type) }
    )
    func decodesAcceptedInputToPythonBytes(_ parseCase: Fixture.ParseCase) throws {
        #expect(try binary(parseCase.input, parseCase.type) == base64(parseCase.binary))
    }

    @Test("JSON json_format rejects is rejected", arguments: fixture.parse_errors)
    func rejectsRejectedInput(_ parseError: Fixture.ParseError) throws {
        #expect(throws: ProtoJSONError.self, "Python: \(parseError.python_error)") {
            try binary(parseError.input, parseError.type)
        }
    }
}

/// Whether the message's JSON holds a map or a Struct (JSON objects whose member order is the JSON's, not
/// Python's sorted one).
private func hasMapOrStruct(_ type: String) -> Bool {
    func visit(_ type: String, seen: Set<String>) -> Bool {
        guard !seen.contains(type), let descriptor = pool.message(named: type) else { return false }
        if type == "google.protobuf.Struct" || type == "google.protobuf.Value" || type == "google.protobuf.Any" {
            return true
        }
        return descriptor.fields.contains { field in
            field.isMap || (field.type == .message && visit(field.typeName, seen: seen.union([type])))
        }
    }
    return visit(type, seen: [])
}
