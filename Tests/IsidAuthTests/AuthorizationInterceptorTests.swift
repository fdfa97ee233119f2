import IsidAuth
import RPCCore
import Testing

@Suite("Authorization decisions")
struct AuthorizationInterceptorTests {
    static let service = "isid.indicators.v1.IndicatorService"
    static let read = MethodDescriptor(service: service, method: "GetSeries", kind: .unary)
    static let write = MethodDescriptor(service: service, method: "UpsertObservations", kind: .unary)
    static let health = MethodDescriptor(service: service, method: "Ping", kind: .unary)
    static let unlisted = MethodDescriptor(service: service, method: "Forgotten", kind: .unary)
    static let policy = AccessPolicy([
        read: .requires(.indicatorsRead), write: .requires(.indicatorsWrite), health: .public,
    ])
    static let tokens = try! BearerTokenAuthenticator(
        parsing: "writer=indicators:write,reader=indicators:read,root=admin",
        defaultScopes: []
    )

    struct Case: Sendable, CustomTestStringConvertible {
        let method: MethodDescriptor
        let token: String?
        let publicReads: Bool
        let configured: Bool
        /// nil: the call goes on.
        let expected: StatusCode?
        var testDescription: String {
            "\(method.method) token=\(token ?? "none") publicReads=\(publicReads) configured=\(configured)"
        }
    }

    static let cases: [Case] = [
        // No identity.
        Case(method: write, token: nil, publicReads: false, configured: true, expected: .unauthenticated),
        Case(method: read, token: nil, publicReads: false, configured: true, expected: .unauthenticated),
        Case(method: read, token: nil, publicReads: true, configured: true, expected: nil),
        Case(method: write, token: nil, publicReads: true, configured: true, expected: .unauthenticated),
        Case(method: health, token: nil, publicReads: false, configured: true, expected: nil),
        // An identity without the scope, with it, and with admin.
        Case(method: write, token: "reader", publicReads: true, configured: true, expected: .permissionDenied),
        Case(method: read, token: "writer", publicReads: false, configured: true, expected: .permissionDenied),
        Case(method: write, token: "writer", publicReads: false, configured: true, expected: nil),
        Case(method: write, token: "root", publicReads: false, configured: true, expected: nil),
        // Credentials that do not hold are refused even where none are needed.
        Case(method: read, token: "wrong", publicReads: true, configured: true, expected: .unauthenticated),
        Case(method: health, token: "wrong", publicReads: true, configured: true, expected: .unauthenticated),
        // No rule: closed to everyone.
        Case(method: unlisted, token: "root", publicReads: true, configured: true, expected: .permissionDenied),
        // Nothing configured can grant the scope: the method is disabled.
        Case(method: write, token: nil, publicReads: true, configured: false, expected: .permissionDenied),
    ]

    @Test("each call is let through or refused with the status gRPC defines", arguments: cases)
    func decision(_ testCase: Case) {
        let interceptor = AuthorizationInterceptor(
            policy: Self.policy,
            authenticators: testCase.configured ? [Self.tokens] : [],
            publicReads: testCase.publicReads
        )
        var metadata = Metadata()
        if let token = testCase.token { metadata.add("authorization", "Bearer \(token)") }
        do {
            _ = try interceptor.authorize(testCase.method, metadata: metadata)
            #expect(testCase.expected == nil)
        } catch {
            #expect(error.code == testCase.expected)
        }
    }

    @Test("the refusal for a missing scope names the scope")
    func namesScope() {
        let interceptor = AuthorizationInterceptor(policy: Self.policy, authenticators: [Self.tokens])
        do {
            _ = try interceptor.authorize(Self.write, metadata: ["authorization": "Bearer reader"])
            Issue.record("expected PERMISSION_DENIED")
        } catch {
            #expect(error.message.contains("indicators:write"))
        }
    }

    @Test("it guards only the services that declare rules")
    func appliesToGuardedServices() {
        let interceptor = AuthorizationInterceptor(policy: Self.policy, authenticators: [])
        #expect(interceptor.applies(to: Self.unlisted))
        #expect(
            !interceptor.applies(to: MethodDescriptor(service: "grpc.health.v1.Health", method: "Check", kind: .unary))
        )
    }
}
