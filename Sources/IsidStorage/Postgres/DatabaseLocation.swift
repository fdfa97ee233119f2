/// Where a service keeps its data, from `--database` or `ISID_DATABASE_URL`: a SQLite file (a path, or
/// `sqlite:PATH`) or a PostgreSQL server (`postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=require`).
public enum DatabaseLocation: Sendable, Hashable {
    case sqlite(path: String)
    case postgres(PostgresSettings)

    /// Reads a location; throws with what is wrong, for an error that names the setting.
    public init(_ text: String) throws(DatabaseLocationError) {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresSettings(url: text))
        } else if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else { throw .invalid("sqlite: needs a file path") }
            self = .sqlite(path: path)
        } else if text.contains("://") {
            throw .invalid("unknown scheme; use a file path, sqlite:PATH or postgres://...")
        } else {
            guard !text.isEmpty else { throw .invalid("empty") }
            self = .sqlite(path: text)
        }
    }
}

public enum DatabaseLocationError: Error, Hashable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): reason
        }
    }
}

/// A PostgreSQL server and how to use it, from a libpq-style URL: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`
/// with the query parameters `sslmode` (`disable`, `prefer`, `require`, `verify-full`; default `prefer`),
/// `sslrootcert` (a PEM file of the CA to trust, with `verify-full`), `connect_timeout` (seconds, default 10),
/// `pool_size` (connections per process, default 10) and `statement_timeout` (milliseconds; unset: none).
public struct PostgresSettings: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable {
        case disable
        case prefer
        case require
        /// TLS with the server's certificate checked against the trusted CAs and its host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    public var rootCertificateFile: String?
    public var connectTimeoutSeconds: Int
    public var poolSize: Int
    public var statementTimeoutMilliseconds: Int?

    public init(url text: String) throws(DatabaseLocationError) {
        guard let schemeEnd = text.firstRange(of: "://") else { throw .invalid("not a postgres:// URL") }
        var rest = Substring(text[schemeEnd.upperBound...])
        var query = Substring("")
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        guard let slash = rest.firstIndex(of: "/") else { throw .invalid("no database name (postgres://.../NAME)") }
        database = Self.decoded(rest[rest.index(after: slash)...])
        guard !database.isEmpty else { throw .invalid("no database name (postgres://.../NAME)") }
        var authority = rest[..<slash]
        username = ""
        if let at = authority.lastIndex(of: "@") {
            let credentials = authority[..<at]
            authority = authority[authority.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                username = Self.decoded(credentials[..<colon])
                password = Self.decoded(credentials[credentials.index(after: colon)...])
            } else {
                username = Self.decoded(credentials)
            }
        }
        guard !username.isEmpty else { throw .invalid("no user name (postgres://USER@...)") }
        port = 5432
        if authority.hasPrefix("[") {  // [IPv6]:port
            guard let close = authority.firstIndex(of: "]") else { throw .invalid("unclosed [ in the host") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { port = try Self.port(after.dropFirst()) }
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            port = try Self.port(authority[authority.index(after: colon)...])
        } else {
            host = String(authority)
        }
        guard !host.isEmpty else { throw .invalid("no host") }
        tls = .prefer
        connectTimeoutSeconds = 10
        poolSize = 10
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0])
            let value = parts.count > 1 ? Self.decoded(parts[1]) : ""
            switch name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw .invalid("sslmode=\(value): use disable, prefer, require or verify-full")
                }
                tls = mode
            case "sslrootcert": rootCertificateFile = value
            case "connect_timeout": connectTimeoutSeconds = try Self.positive(name, value)
            case "pool_size": poolSize = try Self.positive(name, value)
            case "statement_timeout": statementTimeoutMilliseconds = try Self.positive(name, value)
            default:
                throw .invalid(
                    "unknown parameter \(name); known: sslmode, sslrootcert, connect_timeout, pool_size, statement_timeout"
                )
            }
        }
    }

    /// The URL without its password, for logs.
    public var description: String {
        "postgres://\(username)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }

    private static func port(_ text: Substring) throws(DatabaseLocationError) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else { throw .invalid("port \(text) is not 1 to 65535") }
        return port
    }

    private static func positive(_ name: String, _ value: String) throws(DatabaseLocationError) -> Int {
        guard let number = Int(value), number > 0 else { throw .invalid("\(name)=\(value): a positive whole number") }
        return number
    }

    /// Percent-decoding, for user names, passwords and paths with reserved characters.
    private static func decoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
