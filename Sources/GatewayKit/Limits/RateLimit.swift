/// One limit: at most `requests` calls per `period`, e.g. "10/s" or "1000/h".
public struct RateLimit: Hashable, Sendable, CustomStringConvertible {
    public let requests: Int
    public let period: Duration

    public init(requests: Int, period: Duration) {
        self.requests = requests
        self.period = period
    }

    /// The period in nanoseconds.
    var periodNanoseconds: Int64 {
        period.components.seconds * 1_000_000_000 + period.components.attoseconds / 1_000_000_000
    }

    /// Reads `N/s`, `N/min`, `N/h` or `N/d`; at most 100,000 per period (so a bucket's exact credit fits).
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let requests = Int(parts[0]), (1...100_000).contains(requests) else { return nil }
        let period: Duration
        switch parts[1] {
        case "s": period = .seconds(1)
        case "min", "m": period = .seconds(60)
        case "h": period = .seconds(3600)
        case "d": period = .seconds(86_400)
        default: return nil
        }
        self.init(requests: requests, period: period)
    }

    /// The period in whole seconds, as the RateLimit-Policy header gives it (`w=`).
    public var windowSeconds: Int64 { period.components.seconds }

    public var description: String {
        switch windowSeconds {
        case 1: return "\(requests)/s"
        case 60: return "\(requests)/min"
        case 3600: return "\(requests)/h"
        case 86_400: return "\(requests)/d"
        default: return "\(requests)/\(windowSeconds)s"
        }
    }
}

/// The limits that apply to the calls a rule matches: every method (`*`), one service
/// (`isid.indicators.v1.IndicatorService`) or one method (`isid.indicators.v1.IndicatorService/GetLatestValues`).
/// The most specific rule matching a call applies, with all its limits at once.
public struct RateLimitRule: Hashable, Sendable, CustomStringConvertible {
    public enum Scope: Hashable, Sendable {
        case everything
        case service(String)
        case method(service: String, method: String)
    }

    public let scope: Scope
    public let limits: [RateLimit]

    public init(scope: Scope, limits: [RateLimit]) {
        self.scope = scope
        self.limits = limits
    }

    /// Reads `MATCH=LIMIT[,LIMIT...]`, e.g. `*=100/s,10000/h` or
    /// `isid.indicators.v1.IndicatorService/GetLatestValues=10/s,1000/h`.
    public init?(_ text: String) {
        guard let equals = text.firstIndex(of: "=") else { return nil }
        let match = text[..<equals]
        let limits = text[text.index(after: equals)...].split(separator: ",").map { RateLimit($0) }
        guard !limits.isEmpty, limits.allSatisfy({ $0 != nil }) else { return nil }
        let scope: Scope
        if match == "*" {
            scope = .everything
        } else if let slash = match.firstIndex(of: "/") {
            let service = match[..<slash]
            let method = match[match.index(after: slash)...]
            guard !service.isEmpty, !method.isEmpty, !method.contains("/") else { return nil }
            scope = .method(service: String(service), method: String(method))
        } else if !match.isEmpty {
            scope = .service(String(match))
        } else {
            return nil
        }
        self.init(scope: scope, limits: limits.compactMap { $0 })
    }

    /// How specific the rule is: a method beats a service beats everything.
    var specificity: Int {
        switch scope {
        case .everything: return 0
        case .service: return 1
        case .method: return 2
        }
    }

    func matches(service: String, method: String) -> Bool {
        switch scope {
        case .everything: return true
        case .service(let name): return name == service
        case .method(let name, let methodName): return name == service && methodName == method
        }
    }

    /// A key for the rule's buckets: calls under one rule share them.
    var key: String {
        switch scope {
        case .everything: return "*"
        case .service(let name): return name
        case .method(let service, let method): return "\(service)/\(method)"
        }
    }

    public var description: String { "\(key)=" + limits.map(\.description).joined(separator: ",") }
}
