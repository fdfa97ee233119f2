import GRDB
import IsidSync
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Tells, without a trip to a database queue or a system call, whether anyone committed to a SQLite database
/// in WAL mode. Every commit, by any connection of any process, rewrites the WAL-index header at the start of
/// the `-shm` file (its `iChange` counter, frame count and salts; see SQLite's "WAL-mode file formats"), which
/// the probe maps read-only and compares with what it saw last. SQLite keeps two copies of the header and
/// writes them one after the other; copies that differ mean a commit is under way, which counts as a change.
///
/// Where the file cannot be mapped the probe asks `PRAGMA data_version` on a read-only connection of its own
/// instead: exact as well, but a lock and a few system calls per call. That connection stays open in any case:
/// while it is attached to the `-shm` file, no other process may truncate or remove it, so the mapping stays
/// valid.
public final class SQLiteCommitProbe: DataVersioned, @unchecked Sendable {
    // @unchecked: `header` points at a read-only shared mapping made in init and unmapped in deinit, read
    // with plain loads (what it holds is compared, never trusted); the mutable state is behind the lock.
    private let connection: DatabaseQueue
    private let header: UnsafeRawPointer?
    private static let mappedLength = 4096
    /// One copy of the WAL-index header: 48 bytes.
    private typealias Header = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    private struct State {
        var seen: Header?
        var dataVersion: Int64 = .min
        var version: Int64 = 0
    }
    private let state = Lock(State())

    /// Opens a read-only connection to the database at `path`, which must exist (open its store first), and
    /// maps its WAL index.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "commit-probe"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        // Reading attaches the connection to the WAL index (creating nothing: the store made it).
        _ = try connection.inDatabase { db in try Int64.fetchOne(db, sql: "PRAGMA data_version") }
        header = Self.map(path + "-shm")
    }

    deinit {
        if let header { munmap(UnsafeMutableRawPointer(mutating: header), Self.mappedLength) }
    }

    private static func map(_ path: String) -> UnsafeRawPointer? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        // A shorter file cannot hold the header; touching a mapping past its end would fault.
        guard fstat(descriptor, &status) == 0, status.st_size >= mappedLength else { return nil }
        guard let address = mmap(nil, mappedLength, PROT_READ, MAP_SHARED, descriptor, 0), address != MAP_FAILED
        else { return nil }
        return UnsafeRawPointer(address)
    }

    /// A number that grows whenever a commit has happened since it was last read.
    public func dataVersion() throws -> Int64 {
        guard let header else { return try dataVersionFromPragma() }
        let first = Self.load(header)
        atomicMemoryFence(ordering: .acquiring)
        let second = Self.load(header + 48)
        return state.withLock { state in
            if !Self.equal(first, second) {
                // A commit is writing the header now.
                state.seen = nil
                state.version += 1
            } else if let seen = state.seen, Self.equal(seen, first) {
                // Nothing committed since.
            } else {
                state.seen = first
                state.version += 1
            }
            return state.version
        }
    }

    private static func load(_ pointer: UnsafeRawPointer) -> Header {
        (
            pointer.loadUnaligned(fromByteOffset: 0, as: UInt64.self),
            pointer.loadUnaligned(fromByteOffset: 8, as: UInt64.self),
            pointer.loadUnaligned(fromByteOffset: 16, as: UInt64.self),
            pointer.loadUnaligned(fromByteOffset: 24, as: UInt64.self),
            pointer.loadUnaligned(fromByteOffset: 32, as: UInt64.self),
            pointer.loadUnaligned(fromByteOffset: 40, as: UInt64.self)
        )
    }

    private static func equal(_ a: Header, _ b: Header) -> Bool {
        a.0 == b.0 && a.1 == b.1 && a.2 == b.2 && a.3 == b.3 && a.4 == b.4 && a.5 == b.5
    }

    /// `data_version` only promises to differ after another connection's commit, so each change of it counts
    /// one up.
    private func dataVersionFromPragma() throws -> Int64 {
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

    /// Whether the probe reads the mapped WAL index (rather than asking SQLite), for tests.
    public var readsSharedMemory: Bool { header != nil }
}
