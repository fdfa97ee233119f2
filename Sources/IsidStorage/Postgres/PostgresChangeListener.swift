public import Logging
import PostgresNIO
public import ServiceLifecycle

/// Wakes this replica's watchers when any replica commits: LISTENs on the change log's channel on a
/// connection of its own and publishes each notified revision to the ``ChangeNotifier``. When the connection
/// drops it listens again after a pause; meanwhile the notifier's own poll of the log's head still finds new
/// commits, only later.
public struct PostgresChangeListener: Service {
    public let database: PostgresPool
    public let channel: String
    public let notifier: ChangeNotifier
    public let logger: Logger

    public init(database: PostgresPool, channel: String, notifier: ChangeNotifier, logger: Logger) {
        self.database = database
        self.channel = channel
        self.notifier = notifier
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await database.client.withConnection { connection in
                        try await connection.listen(on: channel) { notifications in
                            for try await notification in notifications {
                                if let revision = Int64(notification.payload) { notifier.publish(revision: revision) }
                            }
                        }
                    }
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("Listening for commits failed; trying again", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
