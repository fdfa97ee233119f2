import IsidAuth
import RPCCore
import Testing

@Suite("Bearer tokens")
struct BearerTokenAuthenticatorTests {
    let method = MethodDescriptor(service: "isid.test.v1.Test", method: "Write", kind: .unary)
    let tokens = try! BearerTokenAuthenticator(
        parsing: "writer=indicators:write indicators:read, reader=indicators:read,bare",
        defaultScopes: [.indicatorsRead]
    )

    func authenticate(_ metadata: Metadata) throws(RPCError) -> Identity? {
        try tokens.authenticate(metadata, method: method)
    }

    @Test("a configured token is the identity with its scopes")
    func knownToken() throws {
        let identity = try #require(try authenticate(["authorization": "Bearer writer"]))
        #expect(identity.scopes == [.indicatorsWrite, .indicatorsRead])
        #expect(identity.source == .bearerToken)
    }

    @Test("the identity's subject names the token by its digest, never by the token itself")
    func subjectHidesToken() throws {
        let identity = try #require(try authenticate(["authorization": "Bearer writer"]))
        #expect(identity.subject.hasPrefix("token:"))
        #expect(!identity.subject.contains("writer"))
    }

    @Test("a token listed without scopes gets the default scopes")
    func bareToken() throws {
        #expect(try authenticate(["authorization": "Bearer bare"])?.scopes == [.indicatorsRead])
    }

    @Test("no authorization metadata is no identity, not an error")
    func noCredential() throws {
        #expect(try authenticate([:]) == nil)
    }

    @Test(
        "an unknown token or another scheme is UNAUTHENTICATED",
        arguments: ["Bearer wrong", "Bearer ", "Bearer writerx", "Basic d3JpdGVyOg==", "writer"]
    )
    func rejected(header: String) {
        #expect(throws: RPCError.self) { try authenticate(["authorization": .string(header)]) }
        do {
            _ = try authenticate(["authorization": .string(header)])
        } catch {
            #expect(error.code == .unauthenticated)
        }
    }

    @Test("the first release's scope spelling, indicators.write, means indicators:write")
    func legacyScopeSpelling() throws {
        let legacy = try BearerTokenAuthenticator(parsing: "t=indicators.write", defaultScopes: [])
        let identity = try legacy.authenticate(["authorization": "Bearer t"], method: method)
        #expect(identity?.scopes == [.indicatorsWrite])
    }

    @Test("an unknown scope or an empty entry is a configuration error")
    func badConfiguration() {
        #expect(throws: AuthConfigurationError.unknownScope("indicators:delete")) {
            try BearerTokenAuthenticator(parsing: "t=indicators:delete", defaultScopes: [])
        }
        #expect(throws: AuthConfigurationError.emptyToken) {
            try BearerTokenAuthenticator(parsing: "=indicators:read", defaultScopes: [])
        }
    }

    @Test("it can grant a scope only if some token holds it, or holds admin")
    func canGrant() throws {
        #expect(tokens.canGrant(.indicatorsWrite))
        #expect(!tokens.canGrant(.parityPersonal))
        let admin = try BearerTokenAuthenticator(parsing: "root=admin", defaultScopes: [])
        #expect(admin.canGrant(.parityPersonal))
    }
}
