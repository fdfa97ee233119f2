/// A CSV file read into memory (shared by the services' importers) (RFC 4180: commas, double-quoted fields with "" escapes, LF or CRLF line ends),
/// each record remembering the line it started on so errors can name it.
public struct CSVTable: Sendable {
    public struct Record: Sendable {
        public let line: Int
        public let fields: [String]
    }

    public let file: String
    public let header: [String]
    public let records: [Record]

    public init(file: String, text: String) throws(ImportError) {
        self.file = file
        var parser = CSVParser(file: file)
        var records = try parser.feed(text.utf8)
        if let last = try parser.finish() { records.append(last) }
        guard let first = records.first else { throw .malformed(file: file, line: 1, reason: "the file is empty") }
        self.header = first.fields
        self.records = Array(records.dropFirst())
        for record in self.records { try Self.check(record, against: header, in: file) }
    }

    /// A record must have as many fields as the header.
    static func check(_ record: Record, against header: [String], in file: String) throws(ImportError) {
        guard record.fields.count == header.count else {
            throw .malformed(
                file: file,
                line: record.line,
                reason: "expected \(header.count) fields as in the header, found \(record.fields.count)"
            )
        }
    }

    /// Column positions by name; throws naming the first missing column.
    public func columns(_ names: [String]) throws(ImportError) -> [String: Int] {
        try Self.columns(names, in: header, of: file)
    }

    static func columns(_ names: [String], in header: [String], of file: String) throws(ImportError) -> [String: Int] {
        var positions: [String: Int] = [:]
        for name in names {
            guard let position = header.firstIndex(of: name) else {
                throw .malformed(file: file, line: 1, reason: "missing column \"\(name)\"")
            }
            positions[name] = position
        }
        return positions
    }
}

/// Why the shipped data could not be imported.
public enum ImportError: Error, CustomStringConvertible, Sendable, Hashable {
    case missingFile(String)
    case malformed(file: String, line: Int, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let path): "cannot read \(path)"
        case .malformed(let file, let line, let reason): "\(file):\(line): \(reason)"
        }
    }
}
