public import ArgumentParser
public import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The options every Isid server takes: flags first, then `ISID_*` environment variables, then defaults.
public struct ServerOptions: ParsableArguments, Sendable {
    @Option(help: "Address to listen on (env ISID_HOST).")
    public var host: String = environment("ISID_HOST") ?? "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one (env ISID_PORT).")
    public var port: Int = environment("ISID_PORT").flatMap { Int($0) } ?? 0

    @Option(
        help: """
            Port for Prometheus metrics over HTTP/1.1 at /metrics; unset serves none, 0 picks a free port \
            (env ISID_METRICS_PORT; 9464 in the deployment files).
            """
    )
    public var metricsPort: Int?

    @Option(help: "Seconds in-flight calls may run after SIGTERM (env ISID_SHUTDOWN_GRACE_SECONDS).")
    public var shutdownGraceSeconds: Int = environment("ISID_SHUTDOWN_GRACE_SECONDS").flatMap { Int($0) } ?? 10

    @Option(help: "trace, debug, info, notice, warning, error or critical (env LOG_LEVEL).")
    public var logLevel: String = environment("LOG_LEVEL") ?? "info"

    public init() {}

    public mutating func validate() throws {
        try requireIntegers(inEnvironment: "ISID_PORT", "ISID_METRICS_PORT", "ISID_SHUTDOWN_GRACE_SECONDS")
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535, got \(port).")
        }
        if let port = metricsPortSetting, !(0...65535).contains(port) {
            throw ValidationError("--metrics-port must be between 0 and 65535, got \(port).")
        }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
        guard shutdownGraceSeconds >= 0 else {
            throw ValidationError("--shutdown-grace-seconds must not be negative.")
        }
    }

    /// The metrics port from the flag, else from ISID_METRICS_PORT; nil serves no metrics.
    public var metricsPortSetting: Int? {
        metricsPort ?? environment("ISID_METRICS_PORT").flatMap { Int($0) }
    }

    public var level: Logger.Level { Logger.Level(rawValue: logLevel.lowercased()) ?? .info }
}

/// An environment variable, nil when unset or empty.
public func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let text = String(cString: value)
    return text.isEmpty ? nil : text
}

/// Refuses a set variable that is not an integer, which the options' defaults would otherwise pass over
/// silently; the error names the variable and its value.
public func requireIntegers(inEnvironment names: String...) throws {
    for name in names {
        if let text = environment(name), Int(text) == nil {
            throw ValidationError("\(name) must be an integer, got \"\(text)\".")
        }
    }
}
