import Foundation

/// A CSV file read a record at a time, a chunk of the file in memory at once: for data files too large to
/// hold whole. The same grammar and checks as ``CSVTable``.
public final class CSVReader {
    public let file: String
    public private(set) var header: [String] = []
    private let handle: FileHandle
    private var parser: CSVParser
    private var pending: [CSVTable.Record] = []
    private var position = 0
    private var finished = false
    private let chunkSize: Int

    /// Opens `path` and reads its header.
    public init(path: String, chunkSize: Int = 1 << 18) throws(ImportError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .missingFile(path) }
        self.file = path
        self.handle = handle
        self.chunkSize = chunkSize
        self.parser = CSVParser(file: path)

        guard let first = try nextRecord() else { throw .malformed(file: path, line: 1, reason: "the file is empty") }
        header = first.fields
    }

    deinit { try? handle.close() }

    /// Column positions by name; throws naming the first missing column.
    public func columns(_ names: [String]) throws(ImportError) -> [String: Int] {
        try CSVTable.columns(names, in: header, of: file)
    }

    /// The next record, checked to have as many fields as the header; nil at the end of the file.
    public func next() throws(ImportError) -> CSVTable.Record? {
        guard let record = try nextRecord() else { return nil }
        try CSVTable.check(record, against: header, in: file)
        return record
    }

    private func nextRecord() throws(ImportError) -> CSVTable.Record? {
        while position == pending.count {
            guard !finished else { return nil }
            pending = []
            position = 0
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: chunkSize)
            } catch {
                throw .malformed(file: file, line: 0, reason: "cannot read: \(error)")
            }
            if let chunk, !chunk.isEmpty {
                pending = try parser.feed(chunk)
            } else {
                finished = true
                if let last = try parser.finish() { pending = [last] }
            }
        }
        defer { position += 1 }
        return pending[position]
    }
}
