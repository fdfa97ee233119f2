import Foundation
import IndicatorServiceKit
import IsidStorage
import IsidTestSupport
import Testing

/// The importer reads the observation files a batch at a time inside one transaction: a bad line anywhere,
/// however many batches were written before it, rolls everything back.
@Suite("Streaming import", .timeLimit(.minutes(2)))
struct StreamingImportTests {
    @Test("a bad last line, after batches were written, leaves the store empty", arguments: TestDatabaseKind.allCases)
    func badLastLineRollsBackEveryBatch(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, directory in
            var lastLine = 0
            let (data, path) = try copyOfShippedData(in: directory) { lines in
                if lines.last?.isEmpty == true { lines.removeLast() }
                lines.append("EN_ATM_CO2,9.4.1,AGO,2001,1.5,TONNES_M,X,\"x\"")
                lastLine = lines.count
            }
            await #expect(
                throws: ImportError.malformed(
                    file: path,
                    line: lastLine,
                    reason: "nature \"X\" is not C, CA, E, G, M or N"
                )
            ) {
                try await DataImporter(dataDirectory: data).run(into: store, currentYear: 2026)
            }
            #expect(try await store.isEmpty())
            #expect(try await store.currentRevision() == 0)
        }
    }

    @Test(
        "a second row for the same series, area and year is refused with its line",
        arguments: TestDatabaseKind.allCases
    )
    func duplicateRowIsRefusedWithItsLine(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, directory in
            var copied = ""
            var lastLine = 0
            let (data, path) = try copyOfShippedData(in: directory) { lines in
                if lines.last?.isEmpty == true { lines.removeLast() }
                lines.append(lines[1])  // the first data row again, far from it: in another batch
                copied = String(lines[1])
                lastLine = lines.count
            }
            let fields = copied.split(separator: ",").map(String.init)
            await #expect(
                throws: ImportError.malformed(
                    file: path,
                    line: lastLine,
                    reason: "a second row for \(fields[0])/\(fields[2])/\(fields[3])"
                )
            ) {
                try await DataImporter(dataDirectory: data).run(into: store, currentYear: 2026)
            }
            #expect(try await store.isEmpty())
        }
    }
}
