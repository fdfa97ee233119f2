import IsidAuth
import RPCCore
import Testing

@Suite("Gateway-signed identity")
struct GatewayIdentityTests {
    let secret = String(repeating: "s", count: 32)
    let write = MethodDescriptor(service: "isid.programmes.v1.ProgrammeService", method: "Create", kind: .unary)
    let read = MethodDescriptor(service: "isid.programmes.v1.ProgrammeService", method: "Get", kind: .unary)
    let now: Int64 = 1_800_000_000
    let identity = Identity(subject: "key:ops", scopes: [.programmesWrite, .programmesRead], source: .gateway)

    func signed(for method: MethodDescriptor, at timestamp: Int64, secret: String? = nil) throws -> Metadata {
        var metadata: Metadata = ["x-request-id": "r1"]
        try GatewayIdentitySigner(secret: secret ?? self.secret).sign(
            identity,
            method: method,
            into: &metadata,
            at: timestamp
        )
        return metadata
    }

    func verifier(maximumAge: Duration = .seconds(60)) throws -> GatewayIdentityAuthenticator {
        let now = self.now
        return try GatewayIdentityAuthenticator(secret: secret, maximumAge: maximumAge, now: { now })
    }

    /// The status `body` refuses with; nil when it does not throw.
    func code(_ body: () throws -> Identity?) -> StatusCode? {
        do {
            _ = try body()
            return nil
        } catch {
            return (error as? RPCError)?.code
        }
    }

    @Test("an identity signed with the shared secret for this method, just now, is accepted")
    func accepted() throws {
        let metadata = try signed(for: write, at: now - 5)
        let accepted = try verifier().authenticate(metadata, method: write)
        #expect(accepted == identity)
    }

    @Test("signing replaces identity metadata the caller sent itself")
    func signingReplacesForgery() throws {
        var metadata: Metadata = ["isid-identity": "key:forged", "isid-identity-scopes": "admin"]
        try GatewayIdentitySigner(secret: secret).sign(identity, method: write, into: &metadata, at: now)
        #expect(metadata["isid-identity"].count == 1)
        #expect(try verifier().authenticate(metadata, method: write)?.subject == "key:ops")
    }

    @Test("one signer, many calls: each carries the identity it was signed for, method, second and scopes")
    func keptSignaturesStayExact() throws {
        let signer = try GatewayIdentitySigner(secret: secret)
        let narrower = Identity(subject: identity.subject, scopes: [.programmesRead], source: .gateway)
        // The same caller and method twice in a second, then the next second, then the key's scopes changed
        // (a reloaded keys file), then another method: every one verifies as exactly what was signed.
        let calls: [(Identity, MethodDescriptor, Int64)] = [
            (identity, write, now), (identity, write, now), (identity, write, now + 1), (narrower, write, now + 1),
            (narrower, read, now + 1),
        ]
        for (signed, method, timestamp) in calls {
            var metadata: Metadata = [:]
            signer.sign(signed, method: method, into: &metadata, at: timestamp)
            let verifier = try GatewayIdentityAuthenticator(secret: secret, now: { timestamp })
            #expect(try verifier.authenticate(metadata, method: method) == signed)
            #expect(metadata.first(GatewayIdentity.timestampKey) == String(timestamp))
        }
    }

    @Test("a signature made with another secret is UNAUTHENTICATED")
    func wrongSecret() throws {
        let metadata = try signed(for: write, at: now, secret: String(repeating: "x", count: 32))
        #expect(code { try verifier().authenticate(metadata, method: write) } == .unauthenticated)
    }

    @Test("headers signed for one method do not authenticate a call to another")
    func otherMethod() throws {
        let metadata = try signed(for: read, at: now)
        #expect(code { try verifier().authenticate(metadata, method: write) } == .unauthenticated)
    }

    @Test("added scopes break the signature")
    func tamperedScopes() throws {
        var metadata = try signed(for: write, at: now)
        metadata.replace("isid-identity-scopes", "admin programmes:read programmes:write")
        #expect(code { try verifier().authenticate(metadata, method: write) } == .unauthenticated)
    }

    @Test(
        "a signature older, or further in the future, than the accepted age is stale",
        arguments: [-61, 61, 3600] as [Int64]
    )
    func stale(offset: Int64) throws {
        let metadata = try signed(for: write, at: now - offset)
        #expect(code { try verifier().authenticate(metadata, method: write) } == .unauthenticated)
    }

    @Test("identity metadata with a part missing is UNAUTHENTICATED; none at all is no identity")
    func partial() throws {
        var metadata = try signed(for: write, at: now)
        metadata.remove("isid-identity-signature")
        #expect(code { try verifier().authenticate(metadata, method: write) } == .unauthenticated)
        #expect(try verifier().authenticate(["x-request-id": "r1"], method: write) == nil)
    }

    @Test("a secret shorter than 32 bytes is refused")
    func shortSecret() {
        #expect(throws: AuthConfigurationError.secretTooShort(bytes: 5)) {
            try GatewayIdentitySigner(secret: "short")
        }
    }
}
