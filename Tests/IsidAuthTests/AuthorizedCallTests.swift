import IsidAuth
import IsidTestSupport
import RPCCore
import Testing

/// A service whose one method answers with the identity its handler sees.
struct WhoAmIService: AccessControlledService {
    static let method = MethodDescriptor(service: "test.WhoAmI", method: "Get", kind: .unary)

    var accessRules: [MethodDescriptor: AccessRule] { [Self.method: .requires(.programmesRead)] }

    func registerMethods(with router: inout RPCRouter) {
        router.registerUnary(Self.method) { (_: RawMessage, _) -> RawMessage in
            RawMessage(Identity.current.map { "\($0.subject) \($0.source.rawValue)" } ?? "anonymous")
        }
    }
}

@Suite("Authorized calls", .timeLimit(.minutes(1)))
struct AuthorizedCallTests {
    static let secret = String(repeating: "k", count: 40)

    func withWhoAmI(_ transport: TestTransport, _ body: (RPCClient) async throws -> Void) async throws {
        let service = WhoAmIService()
        let interceptor = AuthorizationInterceptor(
            policy: AccessPolicy(services: [service]),
            authenticators: [
                try GatewayIdentityAuthenticator(secret: Self.secret),
                try BearerTokenAuthenticator(parsing: "t1=programmes:read", defaultScopes: []),
            ]
        )
        try await withServer(transport, services: [service], interceptors: [interceptor], body)
    }

    @Test("the handler sees the identity the token established", arguments: TestTransport.allCases)
    func tokenIdentity(transport: TestTransport) async throws {
        try await withWhoAmI(transport) { client in
            let response = try await client.unary(
                WhoAmIService.method,
                request: RawMessage(""),
                metadata: ["authorization": "Bearer t1"],
                responseType: RawMessage.self
            )
            #expect(response.message.text.hasPrefix("token:"))
            #expect(response.message.text.hasSuffix(" token"))
        }
    }

    @Test("the handler sees the identity the gateway signed", arguments: TestTransport.allCases)
    func gatewayIdentity(transport: TestTransport) async throws {
        var metadata = Metadata()
        try GatewayIdentitySigner(secret: Self.secret).sign(
            Identity(subject: "key:monitoring", scopes: [.programmesRead], source: .gateway),
            method: WhoAmIService.method,
            into: &metadata
        )
        try await withWhoAmI(transport) { client in
            let response = try await client.unary(
                WhoAmIService.method,
                request: RawMessage(""),
                metadata: metadata,
                responseType: RawMessage.self
            )
            #expect(response.message.text == "key:monitoring gateway")
        }
    }

    @Test("identity metadata a caller forged without the secret is UNAUTHENTICATED", arguments: TestTransport.allCases)
    func forgedIdentity(transport: TestTransport) async throws {
        var metadata = Metadata()
        try GatewayIdentitySigner(secret: String(repeating: "x", count: 40)).sign(
            Identity(subject: "key:intruder", scopes: [.admin], source: .gateway),
            method: WhoAmIService.method,
            into: &metadata
        )
        try await withWhoAmI(transport) { client in
            let error = await #expect(throws: RPCError.self) {
                try await client.unary(
                    WhoAmIService.method,
                    request: RawMessage(""),
                    metadata: metadata,
                    responseType: RawMessage.self
                )
            }
            #expect(error?.code == .unauthenticated)
        }
    }
}
