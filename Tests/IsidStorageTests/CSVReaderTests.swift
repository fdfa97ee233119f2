import Foundation
import IsidStorage
import Testing

@Suite("CSV reader")
struct CSVReaderTests {
    static let text = """
        code,name,note\r
        A,"Quoted, with a comma","two
        lines"
        B,"a ""quote"" inside",
        C,plain,last line without a break
        """

    func records(_ reader: CSVReader) throws -> [[String]] {
        var records: [[String]] = []
        while let record = try reader.next() { records.append([String(record.line)] + record.fields) }
        return records
    }

    @Test("streamed in chunks of any size, a file reads as it does whole", arguments: [1, 2, 3, 7, 64, 1 << 16])
    func chunksReadAsTheWholeFile(chunkSize: Int) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("isid-csv-\(UUID()).csv").path
        try Self.text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try CSVTable(file: path, text: Self.text)
        let reader = try CSVReader(path: path, chunkSize: chunkSize)
        #expect(reader.header == whole.header)
        #expect(try records(reader) == whole.records.map { [String($0.line)] + $0.fields })
        #expect(whole.records.map(\.line) == [2, 4, 5])
        #expect(whole.records[0].fields == ["A", "Quoted, with a comma", "two\nlines"])
        #expect(whole.records[1].fields == ["B", "a \"quote\" inside", ""])
    }

    @Test("a record with the wrong number of fields is named by its line")
    func wrongFieldCountNamesTheLine() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("isid-csv-\(UUID()).csv").path
        try "a,b\n1,2\n3\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let reader = try CSVReader(path: path, chunkSize: 2)
        _ = try reader.next()
        #expect(
            throws: ImportError.malformed(file: path, line: 3, reason: "expected 2 fields as in the header, found 1")
        ) {
            try reader.next()
        }
    }
}
