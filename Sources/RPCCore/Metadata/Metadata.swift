/// Call metadata: an ordered list of key-value pairs, keys lower-case, a key may repeat.
///
/// Keys ending in `-bin` carry binary values (base64 on the wire); every other key carries ASCII text.
public struct Metadata: Hashable, Sendable {
    public enum Value: Hashable, Sendable, CustomStringConvertible {
        case string(String)
        case binary([UInt8])

        public var description: String {
            switch self {
            case .string(let text): return text
            case .binary(let bytes): return Base64.encode(bytes, padded: true)
            }
        }
    }

    public struct Entry: Hashable, Sendable {
        public var key: String
        public var value: Value
    }

    private var entries: [Entry]

    public init() { entries = [] }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// Appends a text value. The key is lower-cased; a key ending in `-bin` stores the UTF-8 of the text.
    public mutating func add(_ key: String, _ value: String) {
        let key = Self.lowercased(key)
        if key.hasSuffix("-bin") {
            entries.append(Entry(key: key, value: .binary(Array(value.utf8))))
        } else {
            entries.append(Entry(key: key, value: .string(value)))
        }
    }

    /// Appends a binary value; the key must end in `-bin`.
    public mutating func add(_ key: String, binary value: [UInt8]) {
        let key = key.lowercased()
        precondition(key.hasSuffix("-bin"), "binary metadata keys end in -bin, got \(key)")
        entries.append(Entry(key: key, value: .binary(value)))
    }

    public mutating func add(contentsOf other: Metadata) {
        entries.append(contentsOf: other.entries)
    }

    /// Replaces every value of `key` with one text value.
    public mutating func replace(_ key: String, _ value: String) {
        remove(key)
        add(key, value)
    }

    public mutating func remove(_ key: String) {
        let key = Self.lowercased(key)
        entries.removeAll { $0.key == key }
    }

    /// Every value stored under `key`, in order.
    public subscript(key: String) -> [Value] {
        let key = Self.lowercased(key)
        return entries.lazy.filter { $0.key == key }.map(\.value)
    }

    /// The first text value of `key`.
    public func first(_ key: String) -> String? {
        let key = Self.lowercased(key)
        for entry in entries where entry.key == key {
            if case .string(let text) = entry.value { return text }
        }
        return nil
    }

    /// The first binary value of `key`.
    public func firstBinary(_ key: String) -> [UInt8]? {
        let key = Self.lowercased(key)
        for entry in entries where entry.key == key {
            if case .binary(let bytes) = entry.value { return bytes }
        }
        return nil
    }
}

extension Metadata: Sequence {
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }
}

extension Metadata: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init()
        for (key, value) in elements {
            switch value {
            case .string(let text): add(key, text)
            case .binary(let bytes): add(key, binary: bytes)
            }
        }
    }
}

extension Metadata.Value: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension Metadata: CustomStringConvertible {
    public var description: String {
        "[" + entries.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "]"
    }
}

extension Metadata {
    /// Keys are lower case on the wire (HTTP/2). Most keys a program names are already lower case: checking
    /// the bytes costs less than `lowercased()`, which makes a new string every time.
    static func lowercased(_ key: String) -> String {
        key.utf8.contains(where: { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) ? key.lowercased() : key
    }
}
