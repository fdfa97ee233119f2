/// Kinds of JSON values.
enum JSONKind: UInt8 {
    case object, array, string, number, `true`, `false`, null
}

/// One JSON value of a parsed document. Values are ranges of the input, never copied: numbers stay text (so
/// int64 keeps every digit) and strings are unescaped only when read.
struct JSONToken {
    var kind: JSONKind
    /// Strings: set when the text has an escape sequence.
    var hasEscapes: Bool
    /// Strings: the text between the quotes; numbers: the number's text; objects and arrays: unused.
    var start: Int32
    var end: Int32
    /// Index of the token after this value and everything inside it; an object's members follow it as
    /// key, value, key, value...
    var next: Int32
}

/// Limits on what the parser accepts.
public struct JSONLimits: Sendable {
    /// Nesting of arrays and objects.
    public var maxDepth: Int
    /// Size of the JSON text in bytes.
    public var maxBytes: Int

    public init(maxDepth: Int = 100, maxBytes: Int = 16 << 20) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }
}

/// A strict RFC 8259 parser into a flat token array (one allocation for the whole document): no comments, no
/// trailing commas, no leading zeros, no NaN literals, no control characters or invalid UTF-8 in strings,
/// escapes checked (surrogates paired).
struct JSONParser {
    let text: UnsafeBufferPointer<UInt8>
    var position = 0
    var tokens: [JSONToken] = []
    let limits: JSONLimits

    init(_ text: UnsafeBufferPointer<UInt8>, limits: JSONLimits) {
        self.text = text
        self.limits = limits
        tokens.reserveCapacity(text.count / 8 + 4)
    }

    static func parse(_ text: UnsafeBufferPointer<UInt8>, limits: JSONLimits) throws -> [JSONToken] {
        guard text.count <= limits.maxBytes else {
            throw ProtoJSONError(
                .malformedJSON,
                "JSON text of \(text.count) bytes exceeds the limit of \(limits.maxBytes)"
            )
        }
        guard text.count < Int(Int32.max) else { throw ProtoJSONError(.malformedJSON, "JSON text too large") }
        var parser = JSONParser(text, limits: limits)
        parser.skipWhitespace()
        try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.position == text.count else { throw parser.error("unexpected text after the JSON value") }
        return parser.tokens
    }

    func error(_ reason: String) -> ProtoJSONError {
        ProtoJSONError(.malformedJSON, "invalid JSON at byte \(position): \(reason)")
    }

    mutating func skipWhitespace() {
        while position < text.count {
            switch text[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws {
        guard position < text.count else { throw error("unexpected end of text") }
        switch text[position] {
        case UInt8(ascii: "{"): try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "t"): try parseLiteral("true", .true)
        case UInt8(ascii: "f"): try parseLiteral("false", .false)
        case UInt8(ascii: "n"): try parseLiteral("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber()
        default: throw error("unexpected character")
        }
    }

    mutating func parseLiteral(_ literal: StaticString, _ kind: JSONKind) throws {
        let length = literal.utf8CodeUnitCount
        guard text.count - position >= length else { throw error("unexpected end of text") }
        let matches = literal.withUTF8Buffer { expected in
            (0..<length).allSatisfy { text[position + $0] == expected[$0] }
        }
        guard matches else { throw error("unexpected character") }
        let start = Int32(position)
        position += length
        tokens.append(
            JSONToken(kind: kind, hasEscapes: false, start: start, end: Int32(position), next: Int32(tokens.count + 1))
        )
    }

    mutating func parseObject(depth: Int) throws {
        guard depth <= limits.maxDepth else { throw error("nested deeper than \(limits.maxDepth)") }
        let index = tokens.count
        tokens.append(JSONToken(kind: .object, hasEscapes: false, start: Int32(position), end: 0, next: 0))
        position += 1
        skipWhitespace()
        if position < text.count && text[position] == UInt8(ascii: "}") {
            position += 1
        } else {
            while true {
                guard position < text.count, text[position] == UInt8(ascii: "\"") else {
                    throw error("expected a string key")
                }
                try parseString()
                skipWhitespace()
                guard position < text.count, text[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
                position += 1
                skipWhitespace()
                try parseValue(depth: depth)
                skipWhitespace()
                guard position < text.count else { throw error("unexpected end of text") }
                if text[position] == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                } else if text[position] == UInt8(ascii: "}") {
                    position += 1
                    break
                } else {
                    throw error("expected ',' or '}'")
                }
            }
        }
        tokens[index].end = Int32(position)
        tokens[index].next = Int32(tokens.count)
    }

    mutating func parseArray(depth: Int) throws {
        guard depth <= limits.maxDepth else { throw error("nested deeper than \(limits.maxDepth)") }
        let index = tokens.count
        tokens.append(JSONToken(kind: .array, hasEscapes: false, start: Int32(position), end: 0, next: 0))
        position += 1
        skipWhitespace()
        if position < text.count && text[position] == UInt8(ascii: "]") {
            position += 1
        } else {
            while true {
                try parseValue(depth: depth)
                skipWhitespace()
                guard position < text.count else { throw error("unexpected end of text") }
                if text[position] == UInt8(ascii: ",") {
                    position += 1
                    skipWhitespace()
                } else if text[position] == UInt8(ascii: "]") {
                    position += 1
                    break
                } else {
                    throw error("expected ',' or ']'")
                }
            }
        }
        tokens[index].end = Int32(position)
        tokens[index].next = Int32(tokens.count)
    }

    mutating func parseString() throws {
        position += 1  // the opening quote
        let start = position
        var hasEscapes = false
        while true {
            position = plainRunEnd(text, from: position, to: text.count, allowNonASCII: false)
            guard position < text.count else { throw error("unterminated string") }
            let byte = text[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw error("control character in a string") }
            if byte == UInt8(ascii: "\\") {
                hasEscapes = true
                try validateEscape()
                continue
            }
            if byte < 0x80 {
                position += 1
                continue
            }
            let length = utf8SequenceLength(byte)
            guard length > 0, text.count - position >= length,
                UTF8Validation.isValid(text, range: position..<(position + length))
            else { throw error("invalid UTF-8") }
            position += length
        }
        tokens.append(
            JSONToken(
                kind: .string,
                hasEscapes: hasEscapes,
                start: Int32(start),
                end: Int32(position),
                next: Int32(tokens.count + 1)
            )
        )
        position += 1  // the closing quote
    }

    private func utf8SequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xC2...0xDF: 2
        case 0xE0...0xEF: 3
        case 0xF0...0xF4: 4
        default: 0
        }
    }

    /// Checks one escape sequence at `position` (the backslash) and moves past it.
    private mutating func validateEscape() throws {
        guard text.count - position >= 2 else { throw error("unterminated escape") }
        switch text[position + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 2
        case UInt8(ascii: "u"):
            let unit = try hexUnit(at: position + 2)
            position += 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                guard text.count - position >= 6, text[position] == UInt8(ascii: "\\"),
                    text[position + 1] == UInt8(ascii: "u")
                else { throw error("unpaired surrogate") }
                let low = try hexUnit(at: position + 2)
                guard low >= 0xDC00 && low <= 0xDFFF else { throw error("unpaired surrogate") }
                position += 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw error("unpaired surrogate")
            }
        default: throw error("invalid escape")
        }
    }

    private func hexUnit(at index: Int) throws -> UInt32 {
        guard text.count - index >= 4 else { throw error("truncated \\u escape") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = hexDigit(text[index + offset]) else { throw error("invalid \\u escape") }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    mutating func parseNumber() throws {
        let start = position
        if text[position] == UInt8(ascii: "-") { position += 1 }
        guard position < text.count, isDigit(text[position]) else { throw error("invalid number") }
        if text[position] == UInt8(ascii: "0") {
            position += 1
            if position < text.count && isDigit(text[position]) { throw error("leading zero in a number") }
        } else {
            while position < text.count && isDigit(text[position]) { position += 1 }
        }
        if position < text.count && text[position] == UInt8(ascii: ".") {
            position += 1
            guard position < text.count, isDigit(text[position]) else { throw error("invalid number") }
            while position < text.count && isDigit(text[position]) { position += 1 }
        }
        if position < text.count && (text[position] == UInt8(ascii: "e") || text[position] == UInt8(ascii: "E")) {
            position += 1
            if position < text.count && (text[position] == UInt8(ascii: "+") || text[position] == UInt8(ascii: "-")) {
                position += 1
            }
            guard position < text.count, isDigit(text[position]) else { throw error("invalid number") }
            while position < text.count && isDigit(text[position]) { position += 1 }
        }
        tokens.append(
            JSONToken(
                kind: .number,
                hasEscapes: false,
                start: Int32(start),
                end: Int32(position),
                next: Int32(tokens.count + 1)
            )
        )
    }
}

@inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

func hexDigit(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
    default: nil
    }
}

/// Unescapes a string token's text into `out` (UTF-8); the parser has already checked every escape.
func unescapeJSONString(_ text: UnsafeBufferPointer<UInt8>, _ token: JSONToken, into out: inout [UInt8]) {
    var index = Int(token.start)
    let end = Int(token.end)
    while index < end {
        let byte = text[index]
        guard byte == UInt8(ascii: "\\") else {
            out.append(byte)
            index += 1
            continue
        }
        let escaped = text[index + 1]
        index += 2
        switch escaped {
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = readHex4(text, index)
            index += 4
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                let low = readHex4(text, index + 2)
                index += 6
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            appendUTF8(scalar, to: &out)
        default: out.append(escaped)
        }
    }
}

private func readHex4(_ text: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt32 {
    var value: UInt32 = 0
    for offset in 0..<4 { value = value << 4 | UInt32(hexDigit(text[index + offset]) ?? 0) }
    return value
}

func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
    switch scalar {
    case 0..<0x80: out.append(UInt8(scalar))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | scalar >> 6))
        out.append(UInt8(0x80 | scalar & 0x3F))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | scalar >> 12))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    default:
        out.append(UInt8(0xF0 | scalar >> 18))
        out.append(UInt8(0x80 | scalar >> 12 & 0x3F))
        out.append(UInt8(0x80 | scalar >> 6 & 0x3F))
        out.append(UInt8(0x80 | scalar & 0x3F))
    }
}
