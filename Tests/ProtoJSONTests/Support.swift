import Foundation
import GatewayAPI
import IndicatorsAPI
import ParityAPI
import ProgrammesAPI
import ProtoJSON
import ProtobufRuntime
import StandardProtos
import Testing

/// Every file Isid ships: the standard protos (the well-known types among them) and the four APIs, plus the
/// test-only json_cases.proto whose descriptor the fixtures carry.
let pool: DescriptorPool = {
    do {
        let shipped =
            (StandardProtosDescriptors.files + IndicatorsAPIDescriptors.files + ProgrammesAPIDescriptors.files
            + ParityAPIDescriptors.files + GatewayAPIDescriptors.files).map(\.serializedDescriptor)
        return try DescriptorPool(serializedFiles: shipped + fixture.descriptors.map { base64($0) })
    } catch {
        fatalError("the descriptors do not form a pool: \(error)")
    }
}()

func base64(_ text: String) -> [UInt8] {
    guard let data = Data(base64Encoded: text) else { fatalError("fixture base64 is invalid: \(text)") }
    return Array(data)
}

func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

/// Binary to JSON text with the shared pool.
func jsonText(_ binary: [UInt8], _ type: String, _ options: ProtoJSONEncodingOptions = .init()) throws -> String {
    text(try ProtoJSONEncoder(pool: pool, options: options).encode(binary, messageType: type))
}

/// JSON text to binary with the shared pool.
func binary(_ json: String, _ type: String, _ options: ProtoJSONDecodingOptions = .init()) throws -> [UInt8] {
    try ProtoJSONDecoder(pool: pool, options: options).decode(utf8(json), messageType: type)
}

/// JSON, for comparing documents by meaning: key order and number spelling (`1.0`, `1`, `1e0`) do not count.
enum JSONValue: Decodable, Equatable, Sendable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parsed with Foundation's parser: an independent check that the codec's output is JSON at all.
    init(parsing text: String) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    /// Compact JSON text (keys sorted).
    var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
        case .string(let value): Self.quote(value)
        case .array(let values): "[" + values.map(\.description).joined(separator: ",") + "]"
        case .object(let members):
            "{" + members.keys.sorted().map { Self.quote($0) + ":" + members[$0]!.description }.joined(separator: ",")
                + "}"
        }
    }

    /// Where two documents first differ (a path and both values), for failure messages; nil if equal.
    func difference(from expected: JSONValue, at path: String = "$") -> String? {
        switch (self, expected) {
        case (.array(let mine), .array(let theirs)):
            guard mine.count == theirs.count else { return "\(path): \(mine.count) elements, expected \(theirs.count)" }
            for (index, pair) in zip(mine, theirs).enumerated() {
                if let difference = pair.0.difference(from: pair.1, at: "\(path)[\(index)]") { return difference }
            }
            return nil
        case (.object(let mine), .object(let theirs)):
            for key in Set(mine.keys).union(theirs.keys).sorted() {
                guard let value = mine[key] else { return "\(path).\(key): missing, expected \(theirs[key]!)" }
                guard let other = theirs[key] else { return "\(path).\(key): \(value), expected nothing" }
                if let difference = value.difference(from: other, at: "\(path).\(key)") { return difference }
            }
            return nil
        default:
            return self == expected ? nil : "\(path): \(self), expected \(expected)"
        }
    }

    private static func quote(_ text: String) -> String {
        let data = try! JSONEncoder().encode(text)
        return String(decoding: data, as: UTF8.self)
    }
}

/// Tests/ProtoJSONTests/Fixtures/json_format.json, written by scripts/generate-protojson-fixtures.py.
struct Fixture: Decodable, Sendable {
    struct Message: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var type: String
        var binary: String
        var json_text: String
        var json: JSONValue
        var json_with_defaults: JSONValue
        var json_proto_names: JSONValue
        var testDescription: String { name }
    }

    struct ParseCase: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var type: String
        var input: String
        var binary: String
        var json: JSONValue
        var testDescription: String { name }
    }

    struct ParseError: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var type: String
        var input: String
        var python_error: String
        var testDescription: String { name }
    }

    var protobuf: String
    var descriptors: [String]
    var messages: [Message]
    var parse_cases: [ParseCase]
    var parse_errors: [ParseError]
}

let fixture: Fixture = {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/json_format.json")
    do {
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    } catch {
        fatalError("cannot read \(url.path): \(error)")
    }
}()
