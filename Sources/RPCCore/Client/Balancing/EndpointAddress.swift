/// One server a balanced client may send calls to: a host (a name or an IP address) and a port.
public struct EndpointAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Reads `host:port` or `[v6-address]:port`; nil for anything else.
    public init?(_ text: some StringProtocol) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        var host = text[..<colon]
        if host.first == "[", host.last == "]" { host = host.dropFirst().dropLast() }
        guard !host.isEmpty, !host.contains(where: { $0 == "/" || $0 == " " }) else { return nil }
        self.init(host: String(host), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    public static func < (lhs: EndpointAddress, rhs: EndpointAddress) -> Bool {
        (lhs.host, lhs.port) < (rhs.host, rhs.port)
    }
}

/// Where a pool's endpoints come from: a fixed list, or a DNS name re-resolved now and then so that every
/// replica behind it (a Kubernetes headless service, say) gets traffic.
public enum EndpointTarget: Hashable, Sendable, CustomStringConvertible {
    case addresses([EndpointAddress])
    case dns(host: String, port: Int)

    /// Reads a comma-separated list of `host:port`, or one `dns:///name:port` (gRPC's name syntax).
    public init?(_ text: String) {
        let prefix = "dns:///"
        if text.hasPrefix(prefix) {
            guard let address = EndpointAddress(text.dropFirst(prefix.count)) else { return nil }
            self = .dns(host: address.host, port: address.port)
            return
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingASCIISpaces()
        }
        var addresses: [EndpointAddress] = []
        for part in parts {
            guard let address = EndpointAddress(part) else { return nil }
            addresses.append(address)
        }
        guard !addresses.isEmpty else { return nil }
        self = .addresses(addresses)
    }

    public var description: String {
        switch self {
        case .addresses(let addresses): return addresses.map(\.description).joined(separator: ",")
        case .dns(let host, let port): return "dns:///\(EndpointAddress(host: host, port: port))"
        }
    }
}

extension Substring {
    fileprivate func trimmingASCIISpaces() -> Substring {
        var trimmed = self
        while trimmed.first == " " { trimmed = trimmed.dropFirst() }
        while trimmed.last == " " { trimmed = trimmed.dropLast() }
        return trimmed
    }
}
