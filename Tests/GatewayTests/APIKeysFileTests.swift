import Foundation
import GatewayKit
import IsidAuth
import RPCCore
import Testing

func keysJSON(_ entries: [(name: String, sha256: String, scopes: [String])]) -> Data {
    let keys = entries.map { entry in
        "{\"name\": \"\(entry.name)\", \"sha256\": \"\(entry.sha256)\", \"scopes\": ["
            + entry.scopes.map { "\"\($0)\"" }.joined(separator: ", ") + "]}"
    }
    return Data("{\"keys\": [\(keys.joined(separator: ", "))]}".utf8)
}

@Suite("API keys file")
struct APIKeysFileTests {
    @Test("a key is known by its digest: the key itself authenticates as key:NAME with its scopes")
    func authenticates() throws {
        let digest = sha256Hex("monitoring-key")
        let file = try APIKeysFile(json: keysJSON([("monitoring", digest, ["indicators:read"])]))
        var metadata = Metadata()
        metadata.add("authorization", "Bearer monitoring-key")
        let identity = try file.authenticator.authenticate(
            metadata,
            method: MethodDescriptor(path: "/a.B/C", kind: .unary)!
        )
        #expect(identity?.subject == "key:monitoring")
        #expect(identity?.scopes == ["indicators:read"])
        var wrong = Metadata()
        wrong.add("authorization", "Bearer \(digest)")
        #expect(throws: RPCError.self) {
            try file.authenticator.authenticate(wrong, method: MethodDescriptor(path: "/a.B/C", kind: .unary)!)
        }
    }

    @Test(
        "a file with a bad entry is refused whole, naming the entry",
        arguments: [
            (keysJSON([("", sha256Hex("a"), [])]), "keys[0].name"),
            (keysJSON([("a", sha256Hex("a"), []), ("a", sha256Hex("b"), [])]), "keys[1].name"),
            (keysJSON([("a", "abc", [])]), "keys[0].sha256"),
            (keysJSON([("a", sha256Hex("a"), ["indicators:delete"])]), "keys[0].scopes"),
            (Data("{\"keys\": 3}".utf8), "not a keys file"),
        ]
    )
    func refused(json: Data, naming: String) {
        let error = #expect(throws: APIKeysFileError.self) { try APIKeysFile(json: json) }
        #expect(error?.description.contains(naming) == true)
    }

    @Test("the store reloads a changed file and keeps the old keys when the new file is bad")
    func reloads() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try keysJSON([("a", sha256Hex("a"), [])]).write(to: URL(fileURLWithPath: path))
        let store = try APIKeyStore(path: path)
        #expect(store.keyCount == 1)
        #expect(try store.reload() == nil)
        try keysJSON([("a", sha256Hex("a"), []), ("b", sha256Hex("b"), [])]).write(to: URL(fileURLWithPath: path))
        #expect(try store.reload() == 2)
        try Data("{".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: APIKeysFileError.self) { try store.reload() }
        #expect(store.keyCount == 2)
    }
}
