/// "host:port" of a service this one calls (an option such as `--indicator-service`).
public struct ServiceAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    /// Nil unless `text` is a non-empty host, a colon and a port from 1 to 65535.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port), colon != text.startIndex
        else { return nil }
        self.host = String(text[..<colon])
        self.port = port
    }

    public var description: String { "\(host):\(port)" }
}
