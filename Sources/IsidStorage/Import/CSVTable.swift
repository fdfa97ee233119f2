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
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var afterQuote = false
        var line = 1
        var recordLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        func endField() {
            fields.append(field)
            field = ""
            afterQuote = false
        }
        func endRecord() {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
        }
        while let scalar = iterator.next() {
            if inQuotes {
                if scalar == "\"" {
                    inQuotes = false
                    afterQuote = true
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"":
                if afterQuote {
                    field.unicodeScalars.append("\"")  // "" inside a quoted field
                    inQuotes = true
                    afterQuote = false
                } else if field.isEmpty {
                    inQuotes = true
                } else {
                    throw .malformed(file: file, line: line, reason: "a quote inside an unquoted field")
                }
            case ",":
                endField()
            case "\r":
                continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                if afterQuote {
                    throw .malformed(file: file, line: line, reason: "text after a closing quote")
                }
                field.unicodeScalars.append(scalar)
            }
        }
        if inQuotes { throw .malformed(file: file, line: recordLine, reason: "a quoted field is never closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let first = records.first else { throw .malformed(file: file, line: 1, reason: "the file is empty") }
        self.header = first.fields
        self.records = Array(records.dropFirst())
        for record in self.records where record.fields.count != header.count {
            throw .malformed(
                file: file,
                line: record.line,
                reason: "expected \(header.count) fields as in the header, found \(record.fields.count)"
            )
        }
    }

    /// Column positions by name; throws naming the first missing column.
    public func columns(_ names: [String]) throws(ImportError) -> [String: Int] {
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
