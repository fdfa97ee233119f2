import GatewayKit
import IsidAuth
import IsidSync
import Testing

/// Positions a test moves by hand, standing in for the services' change streams.
private final class Services: Sendable {
    private let state = Lock<RevalidationCache.Positions?>([
        .init(connection: 1, token: "a1"), .init(connection: 1, token: "b1"),
    ])
    var now: RevalidationCache.Positions? { state.withLock { $0 } }
    func set(_ positions: RevalidationCache.Positions?) { state.withLock { $0 = positions } }
}

private let key = RevalidationCache.Key(
    path: "/isid.indicators.v1.IndicatorService/GetLatestValues",
    request: [1, 2],
    caller: nil
)

@Suite("Conditional GETs answered from the followed revisions")
struct RevalidationCacheTests {
    private func cache(_ services: Services, maxAge: Duration = .seconds(60), capacity: Int = 100) -> RevalidationCache
    {
        RevalidationCache(positions: { services.now }, maxAge: maxAge, capacity: capacity)
    }

    @Test("an ETag sent while nothing has moved since is still current")
    func unchanged() throws {
        let services = Services()
        let cache = cache(services)
        cache.remember(key, etag: "\"e1\"", positions: try #require(services.now))
        #expect(cache.unchangedETag(key, candidates: ["\"e1\""]) == "\"e1\"")
        #expect(cache.unchangedETag(key, candidates: ["\"other\"", "\"e1\""]) == "\"e1\"")
        #expect(cache.unchangedETag(key, candidates: ["*"]) == "\"e1\"")
    }

    @Test("an ETag the client did not send answers nothing")
    func otherTag() throws {
        let services = Services()
        let cache = cache(services)
        cache.remember(key, etag: "\"e1\"", positions: try #require(services.now))
        #expect(cache.unchangedETag(key, candidates: ["\"e0\""]) == nil)
        #expect(cache.unchangedETag(key, candidates: []) == nil)
    }

    @Test("a commit in any service, or a new connection to it, ends the shortcut")
    func moved() throws {
        let services = Services()
        let cache = cache(services)
        let before = try #require(services.now)
        cache.remember(key, etag: "\"e1\"", positions: before)
        services.set([before[0], .init(connection: 1, token: "b2")])
        #expect(cache.unchangedETag(key, candidates: ["\"e1\""]) == nil)
        services.set([.init(connection: 2, token: "a1"), before[1]])
        #expect(cache.unchangedETag(key, candidates: ["\"e1\""]) == nil)
        services.set(before)
        #expect(cache.unchangedETag(key, candidates: ["\"e1\""]) == "\"e1\"")
    }

    @Test("while a change stream is down nothing is proven")
    func streamDown() throws {
        let services = Services()
        let cache = cache(services)
        cache.remember(key, etag: "\"e1\"", positions: try #require(services.now))
        services.set(nil)
        #expect(cache.unchangedETag(key, candidates: ["\"e1\""]) == nil)
    }

    @Test("an answer older than the maximum age is asked for again")
    func expired() throws {
        let services = Services()
        let cache = cache(services, maxAge: .zero)
        cache.remember(key, etag: "\"e1\"", positions: try #require(services.now))
        #expect(cache.unchangedETag(key, candidates: ["\"e1\""]) == nil)
    }

    @Test("answers are remembered per request and per caller")
    func perCaller() throws {
        let services = Services()
        let cache = cache(services)
        cache.remember(key, etag: "\"e1\"", positions: try #require(services.now))
        let reader = Identity(subject: "key:reader", scopes: [Scope("indicators:read")], source: .gateway)
        let keyed = RevalidationCache.Key(path: key.path, request: key.request, caller: reader)
        let otherRequest = RevalidationCache.Key(path: key.path, request: [1, 3], caller: nil)
        #expect(cache.unchangedETag(keyed, candidates: ["\"e1\""]) == nil)
        #expect(cache.unchangedETag(otherRequest, candidates: ["\"e1\""]) == nil)
    }

    @Test("a full cache drops stale answers first, and never grows past its capacity")
    func capacity() throws {
        let services = Services()
        let cache = cache(services, capacity: 4)
        let old = try #require(services.now)
        for byte in UInt8(0)..<3 {
            cache.remember(.init(path: "/s/M", request: [byte], caller: nil), etag: "\"old\"", positions: old)
        }
        let now: RevalidationCache.Positions = [old[0], .init(connection: 1, token: "b2")]
        services.set(now)
        for byte in UInt8(10)..<20 {
            cache.remember(.init(path: "/s/M", request: [byte], caller: nil), etag: "\"\(byte)\"", positions: now)
            #expect(cache.count <= 4)
        }
        #expect(
            cache.unchangedETag(.init(path: "/s/M", request: [19], caller: nil), candidates: ["\"19\""]) == "\"19\""
        )
    }

    @Test(
        "If-None-Match lists are read weakly, as RFC 9110 compares them",
        arguments: [
            ("\"a\"", ["\"a\""]), ("W/\"a\"", ["\"a\""]), ("\"a\", W/\"b\" ,\"c\"", ["\"a\"", "\"b\"", "\"c\""]),
            ("*", ["*"]),
        ]
    )
    func entityTags(header: String, tags: [String]) {
        #expect(EntityTags.parse(header).map(String.init) == tags)
    }

    @Test("no If-None-Match, no tags")
    func noHeader() {
        #expect(EntityTags.parse(nil).isEmpty)
    }
}
