import GRDB
import Synchronization

/// Tells, without a trip to a database queue, whether anyone committed to a SQLite database: a read-only
/// connection of its own asks `PRAGMA data_version`, which changes whenever another connection (of this
/// process or any other) has committed since the connection last asked. It reads the WAL index's header in
/// shared memory, so it costs microseconds and runs on the caller's thread.
public final class SQLiteCommitProbe: DataVersioned {
    private let connection: DatabaseQueue
    private struct State {
        var dataVersion: Int64 = .min
        var version: Int64 = 0
    }
    private let state = Mutex(State())

    /// Opens a read-only connection to the database at `path`, which must exist (open its store first).
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "commit-probe"
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// A number that grows whenever a commit has happened since it was last read. `data_version` itself only
    /// promises to differ, so each change of it counts one up here.
    public func dataVersion() throws -> Int64 {
        let dataVersion = try connection.inDatabase { db in
            try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? 0
        }
        return state.withLock { state in
            if dataVersion != state.dataVersion {
                state.dataVersion = dataVersion
                state.version += 1
            }
            return state.version
        }
    }
}
