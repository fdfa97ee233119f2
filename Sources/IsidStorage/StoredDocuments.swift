public import Foundation

/// How the services keep a value as one JSON document (programmes, events, panels, policy versions): keys
/// sorted, so the same value is the same bytes on SQLite, on PostgreSQL and in the change log.
public enum StoredDocuments {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    public static func encode(_ value: some Encodable) throws -> Data { try encoder.encode(value) }

    public static func decode<Value: Decodable>(_ type: Value.Type, _ document: Data) throws -> Value {
        try JSONDecoder().decode(type, from: document)
    }
}
