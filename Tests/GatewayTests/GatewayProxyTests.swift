import Foundation
import GatewayKit
import IsidAuth
import IsidTestSupport
import RPCCore
import RPCErrorDetails
import StandardProtos
import Testing

private let secret = String(repeating: "s", count: 32)
private let read = ClosureService.method("Read").declaring(.noSideEffects)
private let write = ClosureService.method("Write")

/// The upstream: answers with what it was sent, one `key=value` per line, and checks the signed identity.
private let upstream = InProcessTransport(services: [
    ClosureService()
        .unary("Read") { _, context in try describe(context) }
        .unary("Write") { _, context in try describe(context) }
])

private func describe(_ context: ServerContext) throws -> RawMessage {
    let authenticator = try GatewayIdentityAuthenticator(secret: secret)
    let identity = try authenticator.authenticate(context.requestMetadata, method: context.method)
    let lines = [
        "identity=\(identity?.subject ?? "")",
        "scopes=\(identity?.scopes.sorted().map(\.name).joined(separator: " ") ?? "")",
        "authorization=\(context.requestMetadata.first("authorization") ?? "")",
        "deadline=\(context.deadline == nil ? "none" : "set")",
    ]
    return RawMessage(lines.joined(separator: "\n"))
}

/// A gateway in front of `upstream` with three keys: "reader" (indicators:read), "writer" (both scopes) and
/// "admin". With `passthrough`, it knows none of the upstream's methods and routes its service by path.
private func withGateway(
    rateLimits: [String] = [],
    anonymousReads: Set<String> = [],
    passthrough: Bool = false,
    _ body: (RPCClient) async throws -> Void
) async throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("keys-\(UUID().uuidString).json").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    try keysJSON([
        ("reader", sha256Hex("reader-key"), ["indicators:read"]),
        ("writer", sha256Hex("writer-key"), ["indicators:read", "indicators:write"]),
        ("admin", sha256Hex("admin-key"), ["admin"]),
    ]).write(to: URL(fileURLWithPath: path))
    let methods = [
        GatewayMethod(descriptor: read, scope: "indicators:read"),
        GatewayMethod(descriptor: write, scope: "indicators:write"),
    ]
    let proxy = GatewayProxy(
        methods: passthrough ? [] : methods,
        pools: [UpstreamPool(service: ClosureService.serviceName, client: RPCClient(transport: upstream))],
        keys: try APIKeyStore(path: path),
        signer: try GatewayIdentitySigner(secret: secret),
        limiter: RateLimiter(rules: rateLimits.compactMap(RateLimitRule.init)),
        settings: .init(anonymousReadDomains: anonymousReads, defaultDeadline: .seconds(5))
    )
    try await body(RPCClient(transport: InProcessTransport(services: [proxy])))
}

private func call(
    _ client: RPCClient,
    _ method: MethodDescriptor,
    key: String? = nil,
    extra: [(String, String)] = []
) async throws -> ClientResponse<RawMessage> {
    var metadata = Metadata()
    if let key { metadata.add("authorization", "Bearer \(key)") }
    for (name, value) in extra { metadata.add(name, value) }
    return try await client.unary(method, request: RawMessage(""), metadata: metadata, responseType: RawMessage.self)
}

private func answer(_ response: ClientResponse<RawMessage>) -> [String: String] {
    Dictionary(
        uniqueKeysWithValues: response.message.text.split(separator: "\n").map { line in
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (String(parts[0]), String(parts[1]))
        }
    )
}

private func code(_ body: () async throws -> Void) async -> StatusCode? {
    do {
        try await body()
        return .ok
    } catch let error as RPCError {
        return error.code
    } catch {
        return nil
    }
}

@Suite("Gateway proxy: keys, scopes, signed identity, limits", .timeLimit(.minutes(1)))
struct GatewayProxyTests {
    @Test(
        "each key reaches exactly the methods its scopes allow",
        arguments: [
            (nil, read, StatusCode.unauthenticated), (nil, write, .unauthenticated),
            ("unknown-key", read, .unauthenticated), ("reader-key", read, .ok),
            ("reader-key", write, .permissionDenied), ("writer-key", write, .ok),
        ] as [(String?, MethodDescriptor, StatusCode)]
    )
    func authorization(key: String?, method: MethodDescriptor, expected: StatusCode) async throws {
        try await withGateway { client in
            #expect(await code { _ = try await call(client, method, key: key) } == expected)
        }
    }

    @Test("the service gets the caller's identity signed by the gateway, and never the key itself")
    func signedIdentity() async throws {
        try await withGateway { client in
            let seen = answer(try await call(client, write, key: "writer-key"))
            #expect(seen["identity"] == "key:writer")
            #expect(seen["scopes"] == "indicators:read indicators:write")
            #expect(seen["authorization"] == "")
        }
    }

    @Test("identity metadata a client sends is stripped: a forged identity never reaches the service")
    func strips() async throws {
        try await withGateway(anonymousReads: ["indicators"]) { client in
            let forged = [("isid-identity", "key:admin"), ("isid-identity-scopes", "admin")]
            let anonymous = answer(try await call(client, read, extra: forged))
            #expect(anonymous["identity"] == "")
            let reader = answer(try await call(client, read, key: "reader-key", extra: forged))
            #expect(reader["identity"] == "key:reader")
        }
    }

    @Test("anonymous reads, when on for a domain, need no key; anonymous writes still do")
    func anonymousReads() async throws {
        try await withGateway(anonymousReads: ["indicators"]) { client in
            #expect(await code { _ = try await call(client, read) } == .ok)
            #expect(await code { _ = try await call(client, write) } == .unauthenticated)
        }
    }

    @Test("a call without a deadline gets the gateway's default one")
    func defaultDeadline() async throws {
        try await withGateway { client in
            let seen = answer(try await call(client, read, key: "reader-key"))
            #expect(seen["deadline"] == "set")
        }
    }

    @Test("over its limit a caller gets RESOURCE_EXHAUSTED with RetryInfo and the limit headers")
    func rateLimited() async throws {
        try await withGateway(rateLimits: ["*=2/h"]) { client in
            let first = try await call(client, read, key: "reader-key")
            #expect(first.initialMetadata.first("ratelimit-limit") == "2")
            #expect(first.initialMetadata.first("ratelimit-remaining") == "1")
            _ = try await call(client, read, key: "reader-key")
            let error = await #expect(throws: RPCError.self) { _ = try await call(client, read, key: "reader-key") }
            #expect(error?.code == .resourceExhausted)
            // A token comes back every 1800 s; some of that has passed since the first call, however slow the run.
            let delay = try #require(error?.detail(Google_Rpc_RetryInfo.self)?.retryDelay?.seconds)
            #expect((1700...1800).contains(delay))
            #expect(error?.metadata.first("retry-after") == "\(delay)")
            #expect(error?.metadata.first("ratelimit-remaining") == "0")
            // Another key has its own buckets.
            #expect(await code { _ = try await call(client, write, key: "writer-key") } == .ok)
        }
    }
}

@Suite("Gateway proxy: passthrough routes", .timeLimit(.minutes(1)))
struct GatewayPassthroughTests {
    @Test(
        "a service without descriptors is routed by path, and only a key with admin reaches it",
        arguments: [
            (nil, StatusCode.unauthenticated), ("reader-key", .permissionDenied), ("writer-key", .permissionDenied),
            ("admin-key", .ok),
        ] as [(String?, StatusCode)]
    )
    func adminOnly(key: String?, expected: StatusCode) async throws {
        try await withGateway(anonymousReads: ["indicators"], passthrough: true) { client in
            for method in [read, write] {
                #expect(await code { _ = try await call(client, method, key: key) } == expected)
            }
        }
    }

    @Test("a passthrough call reaches the service with the admin key's signed identity and a deadline")
    func signedIdentity() async throws {
        try await withGateway(passthrough: true) { client in
            let seen = answer(try await call(client, read, key: "admin-key"))
            #expect(seen["identity"] == "key:admin")
            #expect(seen["scopes"] == "admin")
            #expect(seen["authorization"] == "")
            #expect(seen["deadline"] == "set")
        }
    }

    @Test("a service neither routed nor passed through stays UNIMPLEMENTED")
    func otherServices() async throws {
        try await withGateway(passthrough: true) { client in
            let elsewhere = MethodDescriptor(service: "test.Elsewhere", method: "Read", kind: .unary)
            #expect(await code { _ = try await call(client, elsewhere, key: "admin-key") } == .unimplemented)
        }
    }
}
