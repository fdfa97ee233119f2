import Foundation
import IsidStorage
import IsidTestSupport
import Testing

@Suite("Change watcher", .timeLimit(.minutes(1)))
struct ChangeWatcherTests {
    @Test(
        "a watch resumed after a revision delivers every later change once, in order, while writes race",
        arguments: LogKind.allCases
    )
    func resumedWatchMissesNothingAndRepeatsNothing(kind: LogKind) async throws {
        try await withReadingLog(kind) { log in
            let resumeAfter = try await log.append((1...10).map { Reading("a", $0) }) - 5
            let commits = 40
            let perCommit = 5
            let last = resumeAfter + 5 + Int64(commits * perCommit)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for commit in 0..<commits {
                        try await log.append((0..<perCommit).map { Reading("a", commit * perCommit + $0) })
                    }
                }
                // A batch size that splits commits, so full batches and catching up both happen.
                var revisions: [Int64] = []
                let watcher = ChangeWatcher(source: log, after: resumeAfter, filter: .everything, batchSize: 7)
                for try await batch in watcher {
                    revisions += batch.changes.map(\.revision)
                    #expect(batch.throughRevision == revisions.last)
                    if revisions.last == last { break }
                }
                #expect(revisions == Array(resumeAfter + 1...last))
                try await group.waitForAll()
            }
        }
    }

    @Test("a caught-up watch wakes on the next commit", arguments: LogKind.allCases)
    func caughtUpWatchWakesOnCommit(kind: LogKind) async throws {
        try await withReadingLog(kind) { log in
            let source = ReadObservingSource(log)
            let head = try await log.append([Reading("a", 1)])
            async let delivered: [Reading] = {
                for try await batch in ChangeWatcher(source: source, after: head, filter: .everything, batchSize: 10) {
                    return batch.changes.map(\.record)
                }
                return []
            }()
            // The watcher read the log and found nothing new; no timer will read it again, only a commit.
            var reads = source.reads.makeAsyncIterator()
            #expect(await reads.next() == 0)
            try await log.append([Reading("b", 2)])
            let readings = try await delivered
            #expect(readings == [Reading("b", 2)])
        }
    }

    @Test("a commit by another process on the same database wakes a caught-up watch by the notifier's poll")
    func commitOfAnotherReplicaWakesTheWatch() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("readings.sqlite").path
            // Two stores on one file, as two replicas hold it: each has its own notifier.
            let watched = try SQLiteReadingStore(path: path)
            let other = try SQLiteReadingStore(path: path)
            let head = try await watched.append([Reading("a", 1)])
            let source = ReadObservingSource(watched)
            async let delivered: [Reading] = {
                for try await batch in ChangeWatcher(source: source, after: head, filter: .everything, batchSize: 10) {
                    return batch.changes.map(\.record)
                }
                return []
            }()
            // Caught up first: then only the poll can tell the watcher of the other store's commit.
            var reads = source.reads.makeAsyncIterator()
            #expect(await reads.next() == 0)
            try await other.append([Reading("b", 2)])
            #expect(try await delivered == [Reading("b", 2)])
        }
    }

    @Test("a watch ends when its notifier shuts down", arguments: LogKind.allCases)
    func watchEndsOnShutdown(kind: LogKind) async throws {
        try await withReadingLog(kind) { log in
            let source = ReadObservingSource(log)
            async let batches: Int = {
                var count = 0
                for try await _ in ChangeWatcher(source: source, after: 0, filter: .everything, batchSize: 10) {
                    count += 1
                }
                return count
            }()
            var reads = source.reads.makeAsyncIterator()
            #expect(await reads.next() == 0)
            log.notifier.shutDown()
            let delivered = try await batches
            #expect(delivered == 0)
        }
    }

    @Test("a watch started after shutdown delivers what is logged, then ends", arguments: LogKind.allCases)
    func watchAfterShutdownDrainsAndEnds(kind: LogKind) async throws {
        try await withReadingLog(kind) { log in
            try await log.append([Reading("a", 1), Reading("a", 2)])
            log.notifier.shutDown()
            var revisions: [Int64] = []
            for try await batch in ChangeWatcher(source: log, after: 0, filter: .everything, batchSize: 10) {
                revisions += batch.changes.map(\.revision)
            }
            #expect(revisions == [1, 2])
        }
    }

    @Test("a filtered watch delivers only its scopes", arguments: LogKind.allCases)
    func filteredWatchDeliversOnlyItsScopes(kind: LogKind) async throws {
        try await withReadingLog(kind) { log in
            try await log.append([Reading("a", 1), Reading("b", 2), Reading("a", 3), Reading("c", 4)])
            log.notifier.shutDown()
            var delivered: [Reading] = []
            let filter = ChangeFilter(scopes: ["a", "c"])
            for try await batch in ChangeWatcher(source: log, after: 0, filter: filter, batchSize: 10) {
                delivered += batch.changes.map(\.record)
            }
            #expect(delivered == [Reading("a", 1), Reading("a", 3), Reading("c", 4)])
        }
    }
}
