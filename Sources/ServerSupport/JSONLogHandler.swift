public import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Writes one JSON object per line to stderr: `timestamp`, `level`, `label`, `message`, then metadata.
///
/// Each line goes out in one `write(2)`, so lines from several threads never interleave, and no
/// shared `FILE*` is touched (Swift 6 rejects `stderr` as a global mutable).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    /// Metadata taken from the logging task at each line (the call's trace id).
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String

    public init(label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let line = line(level: event.level, message: event.message, metadata: event.metadata)
        line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }

    /// The line for one event, newline included. Built as bytes in one buffer: the gateway writes a line per
    /// call, so a line costs a few appends, not a string per field.
    public func line(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(384)
        line.append(contentsOf: #"{"timestamp":""#.utf8)
        Self.appendTimestamp(to: &line)
        line.append(contentsOf: #"","level":""#.utf8)
        line.append(contentsOf: level.rawValue.utf8)
        line.append(contentsOf: #"","label":"#.utf8)
        Self.appendQuoted(label, to: &line)
        line.append(contentsOf: #","message":"#.utf8)
        Self.appendQuoted(message.description, to: &line)
        // Usually only one of the three has entries: taken as it is, not merged into a new dictionary.
        var merged = metadata
        func add(_ more: Logger.Metadata?) {
            guard let more, !more.isEmpty else { return }
            if merged.isEmpty { merged = more } else { merged.merge(more) { _, new in new } }
        }
        add(metadataProvider?.get())
        add(extra)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            line.append(UInt8(ascii: ","))
            Self.appendQuoted(key, to: &line)
            line.append(UInt8(ascii: ":"))
            if case .string(let text) = value {
                Self.appendQuoted(text, to: &line)
            } else {
                Self.appendQuoted(value.description, to: &line)
            }
        }
        line.append(contentsOf: "}\n".utf8)
        return line
    }

    /// RFC 3339 UTC with milliseconds, from the realtime clock (no Foundation).
    private static func appendTimestamp(to line: inout [UInt8]) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var value = value
            while divisor > 0 {
                line.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                value %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        line.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        line.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        line.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        line.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        line.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        line.append(UInt8(ascii: "."))
        digits(Int(now.tv_nsec / 1_000_000), 3)
        line.append(UInt8(ascii: "Z"))
    }

    /// `text` as a JSON string literal: quotes, backslashes and control characters escaped, every other
    /// byte of its UTF-8 as it is.
    static func appendQuoted(_ text: String, to line: inout [UInt8]) {
        line.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case UInt8(ascii: "\n"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case UInt8(ascii: "\t"): line.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    line.append(contentsOf: Array(#"\u00"#.utf8))
                    line.append(hex[Int(byte >> 4)])
                    line.append(hex[Int(byte & 15)])
                default: line.append(byte)
                }
            }
        }
        line.append(UInt8(ascii: "\""))
    }
}
