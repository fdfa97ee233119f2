import Foundation
import IndicatorServiceKit
import IsidStorage
import IsidTestSupport
import Testing

/// The importer reads the observation files a batch at a time inside one transaction: a bad line anywhere,
/// however many batches were written before it, rolls everything back.
@Suite("Streaming import", .timeLimit(.minutes(2)))
struct StreamingImportTests {
    /// A copy of the shipped data whose observations file `edit` changes (given its lines); returns the
    /// directory and the observations file's path.
    func shippedData(
        in directory: URL,
        editing edit: (inout [Substring]) -> Void
    ) throws -> (directory: String, observations: String) {
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for name in ["series.csv", "economies.csv", "sdg9_other_areas.csv", "sdg9_observations.csv"] {
            try FileManager.default.copyItem(
                atPath: shippedDataDirectory + "/" + name,
                toPath: data.appendingPathComponent(name).path
            )
        }
        let path = data.appendingPathComponent("sdg9_observations.csv").path
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(
            separator: "\n",
            omittingEmptySubsequences: false
        )
        edit(&lines)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return (data.path, path)
    }

    @Test("a bad last line, after batches were written, leaves the store empty", arguments: TestDatabaseKind.allCases)
    func badLastLineRollsBackEveryBatch(kind: TestDatabaseKind) async throws {
        try await withTemporaryStore(kind) { store, directory in
            var lastLine = 0
            let (data, path) = try shippedData(in: directory) { lines in
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
            let (data, path) = try shippedData(in: directory) { lines in
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
