/// Orders map entries for encoding, so equal maps encode to equal bytes (Swift dictionaries have no stable
/// order). Matches `protoc --encode --deterministic_output`: keys ascending, strings by UTF-8 bytes,
/// `false` before `true`.
package enum MapOrdering {
    package static func sorted<Key: Comparable, Value>(_ map: [Key: Value]) -> [(key: Key, value: Value)] {
        map.sorted { $0.key < $1.key }
    }

    package static func sorted<Value>(_ map: [String: Value]) -> [(key: String, value: Value)] {
        map.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }

    package static func sorted<Value>(_ map: [Bool: Value]) -> [(key: Bool, value: Value)] {
        map.sorted { !$0.key && $1.key }
    }
}
