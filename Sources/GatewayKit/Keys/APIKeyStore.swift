import Foundation
public import IsidAuth
import IsidSync
public import Logging
public import ServiceLifecycle

/// The keys the gateway accepts, reloaded from the keys file when it changes, without a restart. A file that
/// cannot be read or checked leaves the keys as they were (and is logged), so a bad edit locks nobody out.
public final class APIKeyStore: Sendable {
    public let path: String?
    private let current: Lock<(authenticator: BearerTokenAuthenticator, count: Int, fingerprint: Data?)>

    /// Loads `path` (nil: no keys, so only anonymous reads, if allowed, get through). Throws when the file
    /// cannot be used at start: a gateway that starts must start with the keys it was given.
    public init(path: String?) throws {
        self.path = path
        var state = (authenticator: BearerTokenAuthenticator(tokens: [:]), count: 0, fingerprint: Data?.none)
        if let path {
            let data = try Self.read(path)
            let file = try APIKeysFile(json: data)
            state = (file.authenticator, file.keys.count, data)
        }
        self.current = Lock(state)
    }

    public var authenticator: BearerTokenAuthenticator { current.withLock { $0.authenticator } }
    public var keyCount: Int { current.withLock { $0.count } }

    /// Reads the file again; returns the number of keys when they changed, nil when the file is the same.
    @discardableResult
    public func reload() throws -> Int? {
        guard let path else { return nil }
        let data = try Self.read(path)
        if current.withLock({ $0.fingerprint == data }) { return nil }
        let file = try APIKeysFile(json: data)
        current.withLock { $0 = (file.authenticator, file.keys.count, data) }
        return file.keys.count
    }

    private static func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIKeysFileError("cannot read the keys file \(path)")
        }
        return data
    }

    /// Checks the file every `interval` and reloads it when it changed (a Kubernetes Secret update included).
    public func watcher(every interval: Duration, logger: Logger) -> any Service {
        Watcher(store: self, interval: interval, logger: logger)
    }

    private struct Watcher: Service {
        let store: APIKeyStore
        let interval: Duration
        let logger: Logger

        func run() async throws {
            await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    do {
                        if let count = try store.reload() {
                            logger.notice("Reloaded the keys file", metadata: ["keys": "\(count)"])
                        }
                    } catch {
                        logger.error(
                            "The keys file changed but cannot be used; keeping the keys loaded before",
                            metadata: ["error": "\(error)"]
                        )
                    }
                }
            }
        }
    }
}
