import GatewayKit
import NIOCore
import Testing

private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
private func after(milliseconds: Int64) -> NIODeadline { start + .milliseconds(milliseconds) }

@Suite("Rate limits")
struct RateLimiterTests {
    @Test(
        "limits read as N per second, minute, hour or day",
        arguments: [
            ("10/s", RateLimit(requests: 10, period: .seconds(1))),
            ("100/min", RateLimit(requests: 100, period: .seconds(60))),
            ("1000/h", RateLimit(requests: 1000, period: .seconds(3600))),
            ("5/d", RateLimit(requests: 5, period: .seconds(86_400))),
        ]
    )
    func parses(text: String, limit: RateLimit) {
        #expect(RateLimit(text) == limit)
    }

    @Test("malformed limits and rules are refused", arguments: ["10", "0/s", "-1/s", "10/week", "x/s"])
    func refusesLimits(text: String) {
        #expect(RateLimit(text) == nil)
        #expect(RateLimitRule("*=\(text)") == nil)
    }

    @Test("the most specific rule applies: a method's over its service's over everything")
    func specificity() throws {
        let limiter = RateLimiter(rules: [
            try #require(RateLimitRule("*=100/s")),
            try #require(RateLimitRule("isid.indicators.v1.IndicatorService=50/s")),
            try #require(RateLimitRule("isid.indicators.v1.IndicatorService/GetLatestValues=10/s,1000/h")),
        ])
        let service = "isid.indicators.v1.IndicatorService"
        #expect(limiter.rule(service: service, method: "GetLatestValues")?.limits.count == 2)
        #expect(limiter.rule(service: service, method: "ListSeries")?.limits.first?.requests == 50)
        #expect(
            limiter.rule(service: "isid.programmes.v1.ProgrammeService", method: "X")?.limits.first?.requests == 100
        )
    }

    @Test("a caller gets its limit, then is refused with the seconds to wait; a token comes back with time")
    func bucket() throws {
        let limiter = RateLimiter(rules: [try #require(RateLimitRule("*=10/s"))])
        for _ in 0..<10 { #expect(limiter.admit(caller: "k", service: "s", method: "m", now: start).allowed) }
        let refused = limiter.admit(caller: "k", service: "s", method: "m", now: start)
        #expect(!refused.allowed && refused.retryAfter == 1 && refused.remaining == 0)
        #expect(limiter.admit(caller: "k", service: "s", method: "m", now: after(milliseconds: 100)).allowed)
        #expect(!limiter.admit(caller: "k", service: "s", method: "m", now: after(milliseconds: 100)).allowed)
    }

    @Test("every limit of a rule holds at once: 10/s and 15/min lets 15 through in a minute, not 600")
    func severalLimits() throws {
        let limiter = RateLimiter(rules: [try #require(RateLimitRule("*=10/s,15/min"))])
        var allowed = 0
        for second in 0..<10 {
            for _ in 0..<10
            where limiter.admit(caller: "k", service: "s", method: "m", now: after(milliseconds: Int64(second) * 1000))
                .allowed
            {
                allowed += 1
            }
        }
        #expect(allowed == 15 + 2)  // 15 at once, then one token every 4 s of the minute's refill
    }

    @Test("a refused call takes no token from any bucket")
    func refusalTakesNothing() throws {
        let limiter = RateLimiter(rules: [try #require(RateLimitRule("*=2/s,100/min"))])
        for _ in 0..<5 { _ = limiter.admit(caller: "k", service: "s", method: "m", now: start) }
        let decision = limiter.admit(caller: "k", service: "s", method: "m", now: after(milliseconds: 1000))
        #expect(decision.allowed)
        #expect(decision.limits.count == 2)
        #expect(limiter.admit(caller: "k", service: "s", method: "m", now: after(milliseconds: 1000)).remaining == 0)
    }

    @Test("callers do not share buckets")
    func perCaller() throws {
        let limiter = RateLimiter(rules: [try #require(RateLimitRule("*=1/s"))])
        #expect(limiter.admit(caller: "a", service: "s", method: "m", now: start).allowed)
        #expect(!limiter.admit(caller: "a", service: "s", method: "m", now: start).allowed)
        #expect(limiter.admit(caller: "b", service: "s", method: "m", now: start).allowed)
    }

    @Test("the headers state the tightest limit, what is left, when it is full again, and every policy")
    func headers() throws {
        let limiter = RateLimiter(rules: [try #require(RateLimitRule("*=10/s,1000/h"))])
        let decision = limiter.admit(caller: "k", service: "s", method: "m", now: start)
        let headers = Dictionary(uniqueKeysWithValues: decision.headers)
        #expect(headers["ratelimit-limit"] == "10")
        #expect(headers["ratelimit-remaining"] == "9")
        #expect(headers["ratelimit-reset"] == "1")
        #expect(headers["ratelimit-policy"] == "10;w=1, 1000;w=3600")
        #expect(headers["retry-after"] == nil)
    }

    @Test("without rules nothing is limited and no header is sent")
    func unlimited() {
        let decision = RateLimiter(rules: []).admit(caller: "k", service: "s", method: "m")
        #expect(decision.allowed && decision.headers.isEmpty)
    }

    @Test("the buckets kept stay bounded however many callers come")
    func bounded() throws {
        let limiter = RateLimiter(rules: [try #require(RateLimitRule("*=1/s"))], maximumTrackedBuckets: 100)
        for caller in 0..<1000 { _ = limiter.admit(caller: "c\(caller)", service: "s", method: "m", now: start) }
        #expect(limiter.trackedBuckets <= 100)
    }
}
