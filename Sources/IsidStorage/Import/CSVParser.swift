/// RFC 4180 as the services' data files use it (commas, double-quoted fields with "" escapes, LF or CRLF
/// line ends), fed bytes in pieces of any size: one grammar for a file read whole (``CSVTable``) and for one
/// streamed a chunk at a time (``CSVReader``). Each record remembers the line it started on.
struct CSVParser {
    let file: String
    private var records: [CSVTable.Record] = []
    private var fields: [String] = []
    private var field: [UInt8] = []
    private var inQuotes = false
    private var afterQuote = false
    private var line = 1
    private var recordLine = 1

    init(file: String) { self.file = file }

    /// Parses `bytes`, continuing where the last piece stopped; returns the records completed in it.
    mutating func feed(_ bytes: some Sequence<UInt8>) throws(ImportError) -> [CSVTable.Record] {
        for byte in bytes {
            if inQuotes {
                if byte == UInt8(ascii: "\"") {
                    inQuotes = false
                    afterQuote = true
                } else {
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    field.append(byte)
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                if afterQuote {
                    field.append(byte)  // "" inside a quoted field
                    inQuotes = true
                    afterQuote = false
                } else if field.isEmpty {
                    inQuotes = true
                } else {
                    throw .malformed(file: file, line: line, reason: "a quote inside an unquoted field")
                }
            case UInt8(ascii: ","):
                endField()
            case UInt8(ascii: "\r"):
                continue
            case UInt8(ascii: "\n"):
                endRecord()
                line += 1
                recordLine = line
            default:
                if afterQuote {
                    throw .malformed(file: file, line: line, reason: "text after a closing quote")
                }
                field.append(byte)
            }
        }
        defer { records.removeAll(keepingCapacity: true) }
        return records
    }

    /// Ends the input: the last record if the file does not end with a line break.
    mutating func finish() throws(ImportError) -> CSVTable.Record? {
        if inQuotes { throw .malformed(file: file, line: recordLine, reason: "a quoted field is never closed") }
        guard !field.isEmpty || !fields.isEmpty else { return nil }
        endRecord()
        return records.popLast()
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
        afterQuote = false
    }

    private mutating func endRecord() {
        endField()
        if !(fields.count == 1 && fields[0].isEmpty) {
            records.append(CSVTable.Record(line: recordLine, fields: fields))
        }
        fields.removeAll(keepingCapacity: true)
    }
}
