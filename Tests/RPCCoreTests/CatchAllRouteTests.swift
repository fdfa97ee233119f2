import NIOCore
import RPCCore
import Testing

@Suite("Router: the catch-all route")
struct CatchAllRouteTests {
    private static func router() -> RPCRouter {
        var router = RPCRouter()
        router.registerPassthrough { _, responses, _ in try await responses.write(PassthroughMessage(bytes: .init())) }
        return router
    }

    @Test("a path's later calls reuse the method made for its first")
    func reusesMethods() throws {
        let router = Self.router().intercepted(by: [PassThroughInterceptor()])
        let first = try #require(router.method(forPath: "/some.Service/Call"))
        let again = try #require(router.method(forPath: "/some.Service/Call"))
        #expect(first === again)
        #expect(first.descriptor.path == "/some.Service/Call")
        let other = try #require(router.method(forPath: "/some.Service/Other"))
        #expect(other !== first)
        #expect(other.descriptor.method == "Other")
    }

    @Test("a route wrapped again makes its own methods, with the new wrapping")
    func wrappingMakesNewMethods() throws {
        let plain = Self.router()
        let first = try #require(plain.method(forPath: "/some.Service/Call"))
        let wrapped = plain.intercepted(by: [PassThroughInterceptor()])
        let second = try #require(wrapped.method(forPath: "/some.Service/Call"))
        #expect(first !== second)
    }

    @Test("paths that are not /Service/Method stay unrouted", arguments: ["/", "/only", "//Method", "/a/b/c"])
    func malformedPaths(path: String) {
        #expect(Self.router().method(forPath: path) == nil)
    }
}

/// An interceptor that changes nothing: wrapping alone is what the tests look at.
private struct PassThroughInterceptor: ServerInterceptor {
    func intercept(_ call: ServerCall, next: (ServerCall) async throws -> Void) async throws {
        try await next(call)
    }
}
