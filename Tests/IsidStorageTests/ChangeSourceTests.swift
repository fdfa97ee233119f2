import IsidStorage
import Testing

@Suite("Change log reads", .timeLimit(.minutes(1)))
struct ChangeSourceTests {
    @Test("an empty log is at revision 0 and reads nothing", arguments: LogKind.allCases)
    func emptyLog(kind: LogKind) async throws {
        try await withReadingLog(kind) { log in
            #expect(try await log.currentRevision() == 0)
            let batch = try await log.changes(after: 0, matching: .everything, limit: 10)
            #expect(batch.changes.isEmpty && batch.throughRevision == 0)
        }
    }

    @Test("revisions follow commit order from 1, with no gaps", arguments: LogKind.allCases)
    func revisionsFollowCommits(kind: LogKind) async throws {
        try await withReadingLog(kind) { log in
            #expect(try await log.append([Reading("a", 1), Reading("b", 2)]) == 2)
            #expect(try await log.append([Reading("a", 3, .withdrawn)]) == 3)
            let batch = try await log.changes(after: 0, matching: .everything, limit: 10)
            #expect(batch.changes.map(\.revision) == [1, 2, 3])
            #expect(batch.changes.map(\.record) == [Reading("a", 1), Reading("b", 2), Reading("a", 3, .withdrawn)])
        }
    }

    @Test("a full batch resumes after its last change", arguments: LogKind.allCases)
    func fullBatchResumesAfterItsLastChange(kind: LogKind) async throws {
        try await withReadingLog(kind) { log in
            try await log.append((1...5).map { Reading("a", $0) })
            let batch = try await log.changes(after: 1, matching: .everything, limit: 2)
            #expect(batch.changes.map(\.revision) == [2, 3] && batch.throughRevision == 3)
        }
    }

    @Test("a filtered read skips other scopes and resumes at the head", arguments: LogKind.allCases)
    func filteredReadResumesAtTheHead(kind: LogKind) async throws {
        try await withReadingLog(kind) { log in
            try await log.append([Reading("a", 1), Reading("b", 2), Reading("b", 3)])
            let batch = try await log.changes(after: 0, matching: ChangeFilter(scopes: ["a"]), limit: 10)
            #expect(batch.changes.map(\.record) == [Reading("a", 1)] && batch.throughRevision == 3)
        }
    }

    @Test("a read after the head returns nothing and keeps the caller's revision", arguments: LogKind.allCases)
    func readPastTheHead(kind: LogKind) async throws {
        try await withReadingLog(kind) { log in
            try await log.append([Reading("a", 1)])
            let batch = try await log.changes(after: 5, matching: .everything, limit: 10)
            #expect(batch.changes.isEmpty && batch.throughRevision == 5)
        }
    }
}
