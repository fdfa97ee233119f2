import Foundation

/// How every store keeps events, panels and policy versions: as JSON with sorted keys, so the same value is
/// the same bytes on SQLite and on PostgreSQL.
enum ParityDocuments {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func encode(_ value: some Encodable) throws -> Data { try encoder.encode(value) }

    static func decode<Value: Decodable>(_ type: Value.Type, _ data: Data) throws -> Value {
        try JSONDecoder().decode(type, from: data)
    }
}
