import ArgumentParser
import Foundation
import GatewayKit
import IsidAuth
import RPCCore
import ServerSupport

/// The gateway's settings, each from the first place that gives it: the command line, the environment, the
/// configuration file (`--config`), the default. Every value is checked here, before anything starts, and an
/// error names the setting as it was given (`--route`, `ISID_ROUTES`, or `"routes" in gateway.json`).
struct GatewaySettings {
    var routes: [RouteSpecification]
    /// Services the gateway has no descriptors for, forwarded by path (`--passthrough-route`).
    var passthroughRoutes: [RouteSpecification]
    var keysFile: String?
    var keysReloadSeconds: Int
    var identitySecret: String
    var anonymousReads: [String]
    var rateLimits: [RateLimitRule]
    var corsOrigins: [String]
    var tls: (certificate: String, key: String)?
    var maxRequestBytes: Int
    var defaultDeadlineSeconds: Int
    var revalidationMaxAgeSeconds: Int
    var profilePartTimeoutMs: Int
    var accessLog: Bool

    /// The text of the routes and limits, for the start-up log.
    var routeText: [String]
    var rateLimitText: [String]

    init(_ arguments: GatewayCommand.Serve, services known: Set<String>) throws {
        let file = try (arguments.config ?? environment("ISID_CONFIG")).map(ConfigurationFile.init(path:))
        let sources = SettingSources(file: file)

        let routes = try sources.list(arguments.routes, .routes, separator: ";", default: [])
        self.routes = try routes.value.map { text in
            let route = try Self.route(text, origin: routes.origin)
            guard known.contains(route.service) else {
                throw ValidationError(
                    "\(routes.origin) \"\(text)\": unknown service; the gateway routes \(known.sorted().joined(separator: ", ")), and any other with --passthrough-route."
                )
            }
            return route
        }
        let passthrough = try sources.list(arguments.passthroughRoutes, .passthroughRoutes, separator: ";", default: [])
        passthroughRoutes = try passthrough.value.map { text in
            let route = try Self.route(text, origin: passthrough.origin)
            guard !known.contains(route.service) else {
                throw ValidationError(
                    "\(passthrough.origin) \"\(text)\": \(route.service) is one of Isid's services; route it with --route, so that its methods keep their scopes, JSON and revalidation."
                )
            }
            guard MethodDescriptor(path: "/\(route.service)/m", kind: .unary) != nil, !route.service.contains(" ")
            else {
                throw ValidationError("\(passthrough.origin) \"\(text)\": not a gRPC service name (package.Service).")
            }
            return route
        }
        let services = (self.routes + passthroughRoutes).map(\.service)
        guard !services.isEmpty else {
            throw ValidationError(
                "--route (or ISID_ROUTES, or \"routes\" in --config): give at least one SERVICE=ENDPOINTS."
            )
        }
        if let twice = Dictionary(grouping: services, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw ValidationError("\(twice) is routed twice; give one route per service, with every endpoint in it.")
        }
        routeText = routes.value + passthrough.value.map { "\($0) (passthrough)" }

        let limits = try sources.list(arguments.rateLimits, .rateLimits, separator: ";", default: [])
        rateLimits = try limits.value.map { text in
            guard let rule = RateLimitRule(text) else {
                throw ValidationError("\(limits.origin) \"\(text)\": not MATCH=N/s|min|h|d[,...].")
            }
            return rule
        }
        rateLimitText = limits.value

        keysFile = try sources.path(arguments.keysFile, .keysFile)?.value
        keysReloadSeconds = try sources.int(arguments.keysReloadSeconds, .keysReloadSeconds, default: 5, minimum: 1)

        let secret = try sources.string(arguments.identitySecret, .identitySecret, inFile: false)
        guard let secret, Array(secret.value.utf8).count >= GatewayIdentity.minimumSecretBytes else {
            throw ValidationError(
                "\(secret?.origin.description ?? "--identity-secret (ISID_IDENTITY_SECRET)"): at least \(GatewayIdentity.minimumSecretBytes) bytes are needed."
            )
        }
        identitySecret = secret.value

        anonymousReads = try sources.list(arguments.anonymousReads, .anonymousReads, separator: ",", default: []).value
        corsOrigins = try sources.list(arguments.corsOrigins, .corsOrigins, separator: ",", default: ["*"]).value

        let certificate = try sources.path(arguments.tlsCertificate, .tlsCertificate)
        let key = try sources.path(arguments.tlsKey, .tlsKey)
        switch (certificate, key) {
        case (nil, nil): tls = nil
        case (let certificate?, let key?): tls = (certificate.value, key.value)
        default:
            throw ValidationError(
                "\((certificate ?? key)!.origin) needs its partner: --tls-certificate and --tls-key (ISID_TLS_CERTIFICATE, ISID_TLS_KEY) go together."
            )
        }

        maxRequestBytes = try sources.int(
            arguments.maxRequestBytes,
            .maxRequestBytes,
            default: 4 * 1024 * 1024,
            minimum: 1024
        )
        defaultDeadlineSeconds = try sources.int(
            arguments.defaultDeadlineSeconds,
            .defaultDeadlineSeconds,
            default: 30,
            minimum: 1
        )
        revalidationMaxAgeSeconds = try sources.int(
            arguments.revalidationMaxAgeSeconds,
            .revalidationMaxAgeSeconds,
            default: 60,
            minimum: 0
        )
        profilePartTimeoutMs = try sources.int(
            arguments.profilePartTimeoutMs,
            .profilePartTimeoutMs,
            default: 2000,
            minimum: 1
        )
        accessLog = try sources.bool(arguments.accessLog, .accessLog, default: true)
    }

    private static func route(_ text: String, origin: SettingOrigin) throws -> RouteSpecification {
        guard let route = RouteSpecification(text) else {
            throw ValidationError(
                "\(origin) \"\(text)\": not SERVICE=host:port[,host:port...] or SERVICE=dns:///NAME:PORT."
            )
        }
        return route
    }
}

/// One setting's three names.
struct SettingName {
    /// The command-line flag without its dashes; the file's key is the same with `_` for `-`.
    let flag: String
    let environment: String
    var fileKey: String { flag.replacingOccurrences(of: "-", with: "_") }

    static let routes = SettingName(flag: "route", environment: "ISID_ROUTES", fileKeyOverride: "routes")
    static let passthroughRoutes = SettingName(
        flag: "passthrough-route",
        environment: "ISID_PASSTHROUGH_ROUTES",
        fileKeyOverride: "passthrough_routes"
    )
    static let rateLimits = SettingName(
        flag: "rate-limit",
        environment: "ISID_RATE_LIMITS",
        fileKeyOverride: "rate_limits"
    )
    static let keysFile = SettingName(flag: "keys-file", environment: "ISID_KEYS_FILE")
    static let keysReloadSeconds = SettingName(flag: "keys-reload-seconds", environment: "ISID_KEYS_RELOAD_SECONDS")
    static let identitySecret = SettingName(flag: "identity-secret", environment: "ISID_IDENTITY_SECRET")
    static let anonymousReads = SettingName(flag: "anonymous-reads", environment: "ISID_ANONYMOUS_READS")
    static let corsOrigins = SettingName(
        flag: "cors-origin",
        environment: "ISID_CORS_ORIGINS",
        fileKeyOverride: "cors_origins"
    )
    static let tlsCertificate = SettingName(flag: "tls-certificate", environment: "ISID_TLS_CERTIFICATE")
    static let tlsKey = SettingName(flag: "tls-key", environment: "ISID_TLS_KEY")
    static let maxRequestBytes = SettingName(flag: "max-request-bytes", environment: "ISID_MAX_REQUEST_BYTES")
    static let defaultDeadlineSeconds = SettingName(
        flag: "default-deadline-seconds",
        environment: "ISID_DEFAULT_DEADLINE_SECONDS"
    )
    static let revalidationMaxAgeSeconds = SettingName(
        flag: "revalidation-max-age-seconds",
        environment: "ISID_REVALIDATION_MAX_AGE_SECONDS"
    )
    static let profilePartTimeoutMs = SettingName(
        flag: "profile-part-timeout-ms",
        environment: "ISID_PROFILE_PART_TIMEOUT_MS"
    )

    static let accessLog = SettingName(flag: "access-log", environment: "ISID_ACCESS_LOG")

    /// Every key a configuration file may hold.
    static let fileKeys: Set<String> = Set(
        [
            routes, passthroughRoutes, rateLimits, keysFile, keysReloadSeconds, anonymousReads, corsOrigins,
            tlsCertificate, tlsKey,
            maxRequestBytes, defaultDeadlineSeconds, revalidationMaxAgeSeconds, profilePartTimeoutMs, accessLog,
        ].map(\.key)
    )

    private let keyOverride: String?
    var key: String { keyOverride ?? fileKey }

    init(flag: String, environment: String, fileKeyOverride: String? = nil) {
        self.flag = flag
        self.environment = environment
        self.keyOverride = fileKeyOverride
    }
}

/// Where a value came from, as an error names it.
enum SettingOrigin: CustomStringConvertible {
    case flag(String)
    case environment(String)
    case file(key: String, path: String)
    case defaultValue(flag: String)

    var description: String {
        switch self {
        case .flag(let flag): "--\(flag)"
        case .environment(let name): name
        case .file(let key, let path): "\"\(key)\" in \(path)"
        case .defaultValue(let flag): "--\(flag)"
        }
    }
}

/// The places a setting is looked for, in order.
struct SettingSources {
    let file: ConfigurationFile?

    func string(
        _ flag: String?,
        _ name: SettingName,
        inFile: Bool = true
    ) throws -> (value: String, origin: SettingOrigin)? {
        if let flag, !flag.isEmpty { return (flag, .flag(name.flag)) }
        if let value = environment(name.environment) { return (value, .environment(name.environment)) }
        guard inFile, let file, let value = file.values[name.key] else { return nil }
        guard case .string(let text) = value, !text.isEmpty else {
            throw ValidationError("\(SettingOrigin.file(key: name.key, path: file.path)): expected a non-empty string.")
        }
        return (text, .file(key: name.key, path: file.path))
    }

    /// A file path; one from the configuration file is relative to the file's folder.
    func path(_ flag: String?, _ name: SettingName) throws -> (value: String, origin: SettingOrigin)? {
        guard let found = try string(flag, name) else { return nil }
        guard case .file = found.origin, let file, !found.value.hasPrefix("/") else { return found }
        return (
            URL(fileURLWithPath: file.path).deletingLastPathComponent().appendingPathComponent(found.value).path,
            found.origin
        )
    }

    func int(_ flag: Int?, _ name: SettingName, default fallback: Int, minimum: Int) throws -> Int {
        let found: (Int, SettingOrigin)
        if let flag {
            found = (flag, .flag(name.flag))
        } else if let text = environment(name.environment) {
            guard let value = Int(text) else {
                throw ValidationError("\(name.environment)=\"\(text)\": not a whole number.")
            }
            found = (value, .environment(name.environment))
        } else if let file, let value = file.values[name.key] {
            guard case .number(let number) = value, let integer = Int(exactly: number) else {
                throw ValidationError("\(SettingOrigin.file(key: name.key, path: file.path)): expected a whole number.")
            }
            found = (integer, .file(key: name.key, path: file.path))
        } else {
            found = (fallback, .defaultValue(flag: name.flag))
        }
        guard found.0 >= minimum else {
            throw ValidationError("\(found.1) is \(found.0): it must be \(minimum) or more.")
        }
        return found.0
    }

    func bool(_ flag: Bool?, _ name: SettingName, default fallback: Bool) throws -> Bool {
        if let flag { return flag }
        if let text = environment(name.environment) {
            switch text.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default: throw ValidationError("\(name.environment)=\"\(text)\": not true or false.")
            }
        }
        guard let file, let value = file.values[name.key] else { return fallback }
        guard case .bool(let bool) = value else {
            throw ValidationError("\(SettingOrigin.file(key: name.key, path: file.path)): expected true or false.")
        }
        return bool
    }

    /// A list: repeated flags, a separated environment variable, or the file's array (or object, read as
    /// `KEY=VALUE` entries: `{"isid.indicators.v1.IndicatorService": "indicators:50051"}`).
    func list(
        _ flags: [String],
        _ name: SettingName,
        separator: Character,
        default fallback: [String]
    ) throws -> (value: [String], origin: SettingOrigin) {
        if !flags.isEmpty { return (flags, .flag(name.flag)) }
        if let text = environment(name.environment) {
            return (text.split(separator: separator).map(String.init), .environment(name.environment))
        }
        guard let file, let value = file.values[name.key] else { return (fallback, .defaultValue(flag: name.flag)) }
        let origin = SettingOrigin.file(key: name.key, path: file.path)
        switch value {
        case .array(let array):
            let strings = array.compactMap { element -> String? in
                if case .string(let text) = element { return text }
                return nil
            }
            guard strings.count == array.count else { throw ValidationError("\(origin): expected strings only.") }
            return (strings, origin)
        case .object(let object):
            let entries = try object.keys.sorted().map { key in
                guard case .string(let text) = object[key] else {
                    throw ValidationError("\(origin): the value of \"\(key)\" must be a string.")
                }
                return "\(key)=\(text)"
            }
            return (entries, origin)
        default:
            break
        }
        throw ValidationError("\(origin): expected an array of strings or an object of strings.")
    }
}

/// `--config FILE`: a JSON object of settings named like the flags (`keys_file`, `rate_limits`, `routes`, ...).
/// A key the gateway does not know is an error, so a misspelt setting is never silently ignored. Secrets stay
/// out of it: the identity secret comes from the environment or the command line only.
struct ConfigurationFile {
    let path: String
    let values: [String: JSONValue]

    init(path: String) throws {
        self.path = path
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ValidationError("--config (ISID_CONFIG) \(path): cannot be read (\(error.localizedDescription)).")
        }
        let object: [String: JSONValue]
        do {
            object = try JSONDecoder().decode([String: JSONValue].self, from: data)
        } catch {
            throw ValidationError("--config (ISID_CONFIG) \(path): not a JSON object (\(error)).")
        }
        for key in object.keys.sorted() where !SettingName.fileKeys.contains(key) {
            throw ValidationError(
                "--config \(path): unknown setting \"\(key)\"; known: \(SettingName.fileKeys.sorted().joined(separator: ", "))."
            )
        }
        values = object
    }
}

/// A JSON value as the configuration file holds it.
enum JSONValue: Decodable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }
}
