import NIOCore
import RPCCore
import Testing

private let a = EndpointAddress(host: "10.0.0.1", port: 50051)
private let b = EndpointAddress(host: "10.0.0.2", port: 50051)
private let c = EndpointAddress(host: "10.0.0.3", port: 50051)
private let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

private func after(_ seconds: Int64) -> NIODeadline { start + .seconds(seconds) }

@Suite("Endpoint set: choosing endpoints, ejecting and restoring them")
struct EndpointSetTests {
    @Test("least outstanding: each call goes to the endpoint with the fewest calls in flight")
    func leastOutstanding() {
        var set = EndpointSet(addresses: [a, b, c])
        let first = [set.pick(now: start), set.pick(now: start), set.pick(now: start)]
        #expect(Set(first.compactMap { $0 }) == [a, b, c])
        set.finished(b, outcome: .answered, now: start)
        #expect(set.pick(now: start) == b)
    }

    @Test("least outstanding: endpoints with equal loads take turns")
    func equalLoadsTakeTurns() {
        var set = EndpointSet(addresses: [a, b])
        var picked: [EndpointAddress] = []
        for _ in 0..<4 {
            let address = set.pick(now: start)!
            picked.append(address)
            set.finished(address, outcome: .answered, now: start)
        }
        #expect(picked == [a, b, a, b])
    }

    @Test("round robin goes round whatever the loads")
    func roundRobin() {
        var set = EndpointSet(policy: BalancingPolicy(strategy: .roundRobin), addresses: [a, b, c])
        #expect((0..<6).map { _ in set.pick(now: start)! } == [a, b, c, a, b, c])
    }

    @Test(
        "failures in a row eject an endpoint: UNAVAILABLE after the threshold, an unreachable one at once",
        arguments: [
            (EndpointSet.Outcome.unavailable, 3, true), (.unavailable, 2, false), (.unreachable, 1, true),
            (.answered, 5, false), (.abandoned, 5, false),
        ]
    )
    func ejection(outcome: EndpointSet.Outcome, times: Int, ejected: Bool) {
        var set = EndpointSet(addresses: [a, b])
        for _ in 0..<times {
            _ = set.pick(now: start, excluding: [b])
            set.finished(a, outcome: outcome, now: start)
        }
        let picks = (0..<4).map { _ in set.pick(now: start)! }
        #expect(picks.contains(a) == !ejected)
        #expect(set.takeEvents().contains(.ejected(a, for: .seconds(5))) == ejected)
    }

    @Test("an answer between failures starts the count again")
    func answerResetsFailures() {
        var set = EndpointSet(addresses: [a, b])
        for outcome in [EndpointSet.Outcome.unavailable, .unavailable, .answered, .unavailable, .unavailable] {
            _ = set.pick(now: start, excluding: [b])
            set.finished(a, outcome: outcome, now: start)
        }
        #expect(set.endpoints.first { $0.address == a }?.ejectedUntil == nil)
    }

    @Test("an ejection expires; the next one in a row lasts longer, up to the maximum")
    func ejectionsGrow() {
        let policy = BalancingPolicy(baseEjection: .seconds(5), maximumEjection: .seconds(12))
        var set = EndpointSet(policy: policy, addresses: [a, b])
        var lengths: [Duration] = []
        var now = start
        for _ in 0..<3 {
            _ = set.pick(now: now, excluding: [b])
            set.finished(a, outcome: .unreachable, now: now)
            for case .ejected(_, let length) in set.takeEvents() { lengths.append(length) }
            now = now + .seconds(13)
        }
        #expect(lengths == [.seconds(5), .seconds(10), .seconds(12)])
    }

    @Test("an ejected endpoint returns when its ejection ends")
    func ejectionEnds() {
        var set = EndpointSet(addresses: [a, b])
        _ = set.pick(now: start, excluding: [b])
        set.finished(a, outcome: .unreachable, now: start)
        #expect(set.pick(now: after(4), excluding: [b]) == a)  // panic: a is the only candidate left
        set.finished(a, outcome: .abandoned, now: after(4))
        #expect((0..<2).map { _ in set.pick(now: after(4))! } == [b, b])
        _ = set.takeEvents()
        let picks = (0..<2).map { _ in set.pick(now: after(6))! }
        #expect(picks.contains(a))
        #expect(set.takeEvents().contains(.restored(a)))
    }

    @Test("a health check: NOT_SERVING takes an endpoint out, SERVING brings it back and lifts an ejection")
    func healthChecks() {
        var set = EndpointSet(addresses: [a, b])
        set.checked(a, health: .notServing, now: start)
        #expect((0..<3).map { _ in set.pick(now: start)! } == [b, b, b])
        set.checked(a, health: .serving, now: start)
        _ = set.pick(now: start, excluding: [b])
        set.finished(a, outcome: .unreachable, now: start)
        set.checked(a, health: .serving, now: after(1))
        #expect(set.takeEvents().contains(.restored(a)))
        #expect(set.endpoints.first { $0.address == a }?.ejectedUntil == nil)
    }

    @Test("with every endpoint out of rotation, calls still go to them (panic mode)")
    func panicMode() {
        var set = EndpointSet(addresses: [a, b])
        set.checked(a, health: .notServing, now: start)
        set.checked(b, health: .unreachable, now: start)
        #expect(set.pick(now: start) != nil)
    }

    @Test("a new resolver answer keeps known endpoints' state, adds and removes; an empty answer changes nothing")
    func update() {
        var set = EndpointSet(addresses: [a, b])
        _ = set.pick(now: start)
        let outstanding = set.endpoints.map(\.outstanding)
        #expect(set.update(addresses: [b, a, c]) == [])
        #expect(set.endpoints.map(\.address) == [a, b, c])
        #expect(Array(set.endpoints.prefix(2).map(\.outstanding)) == outstanding)
        #expect(set.update(addresses: []) == [])
        #expect(set.endpoints.count == 3)
        #expect(set.update(addresses: [c]) == [a, b])
        #expect(set.endpoints.map(\.address) == [c])
        #expect(set.takeEvents() == [.added(c), .removed(a), .removed(b)])
    }

    @Test("endpoints tried already are skipped; none left gives nil")
    func excluding() {
        var set = EndpointSet(addresses: [a, b])
        #expect(set.pick(now: start, excluding: [a]) == b)
        #expect(set.pick(now: start, excluding: [a, b]) == nil)
    }
}

@Suite("Retry budget (gRPC retry throttling)")
struct RetryBudgetTests {
    @Test("retries stop once failures drain more than half the bucket, and successes bring them back")
    func throttling() {
        var budget = RetryBudget(.init(maximumTokens: 10, tokenRatio: 0.5))
        for _ in 0..<4 { budget.recordFailure() }
        #expect(budget.allowsRetry)
        budget.recordFailure()
        #expect(!budget.allowsRetry)
        budget.recordSuccess()
        #expect(budget.allowsRetry)
    }
}

@Suite("Endpoint targets")
struct EndpointTargetTests {
    @Test(
        "targets read as gRPC names them",
        arguments: [
            (
                "indicator-service:50051",
                EndpointTarget.addresses([EndpointAddress(host: "indicator-service", port: 50051)])
            ),
            (
                "10.0.0.1:1, 10.0.0.2:2",
                .addresses([EndpointAddress(host: "10.0.0.1", port: 1), EndpointAddress(host: "10.0.0.2", port: 2)])
            ),
            ("[::1]:50051", .addresses([EndpointAddress(host: "::1", port: 50051)])),
            ("dns:///programmes.isid.svc:50052", .dns(host: "programmes.isid.svc", port: 50052)),
        ]
    )
    func valid(text: String, target: EndpointTarget) {
        #expect(EndpointTarget(text) == target)
    }

    @Test(
        "malformed targets are refused",
        arguments: ["", "host", "host:0", "host:70000", ":50051", "a:1,", "dns:///x"]
    )
    func invalid(text: String) {
        #expect(EndpointTarget(text) == nil)
    }
}
