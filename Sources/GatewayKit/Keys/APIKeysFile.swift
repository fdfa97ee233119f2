public import Foundation
public import IsidAuth

/// The gateway's keys file: every API key by name, the SHA-256 of the key (never the key) and its scopes.
///
/// ```json
/// {"keys": [{"name": "monitoring-platform", "sha256": "9f86d0…", "scopes": ["indicators:read"]}]}
/// ```
/// `gateway hash-key` prints the digest of a new key.
public struct APIKeysFile: Sendable, Equatable {
    public struct Key: Sendable, Equatable {
        public let name: String
        public let sha256: [UInt8]
        public let scopes: Set<Scope>
    }

    public let keys: [Key]

    /// Reads and checks the file's content: names unique and non-empty, digests 64 hex digits, scopes known.
    public init(json data: Data) throws(APIKeysFileError) {
        struct File: Decodable {
            struct Entry: Decodable {
                let name: String
                let sha256: String
                let scopes: [String]
            }
            let keys: [Entry]
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw APIKeysFileError("not a keys file ({\"keys\": [{\"name\", \"sha256\", \"scopes\"}]}): \(error)")
        }
        var names: Set<String> = []
        var keys: [Key] = []
        for (index, entry) in file.keys.enumerated() {
            guard !entry.name.isEmpty, names.insert(entry.name).inserted else {
                throw APIKeysFileError("keys[\(index)].name: empty or used twice")
            }
            guard let digest = Self.hexBytes(entry.sha256), digest.count == 32 else {
                throw APIKeysFileError("keys[\(index)].sha256: not 64 hexadecimal digits")
            }
            let scopes = Set(entry.scopes.map { Scope($0) })
            if let unknown = scopes.first(where: { !Scope.all.contains($0) }) {
                throw APIKeysFileError("keys[\(index)].scopes: unknown scope \"\(unknown)\"")
            }
            keys.append(Key(name: entry.name, sha256: digest, scopes: scopes))
        }
        self.keys = keys
    }

    public var authenticator: BearerTokenAuthenticator {
        BearerTokenAuthenticator(digests: keys.map { ($0.name, $0.sha256, $0.scopes) })
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.lowercased().utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        default: return nil
        }
    }
}

public struct APIKeysFileError: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}
