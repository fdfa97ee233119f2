/// A google.api.http path template (`/v1/{name=projects/*/series/*}/latest:verb`), compiled for matching:
///
///     Template = "/" Segments [ Verb ] ;  Segments = Segment { "/" Segment } ;
///     Segment  = "*" | "**" | LITERAL | Variable ;  Variable = "{" FieldPath [ "=" Segments ] "}" ;
///     FieldPath = IDENT { "." IDENT } ;  Verb = ":" LITERAL ;
///
/// `{var}` is `{var=*}`; `**` matches any number of segments and must come last (http.proto's rules).
public struct PathTemplate: Sendable, Hashable, CustomStringConvertible {
    enum Segment: Sendable, Hashable {
        case literal(String)
        case wildcard
        case multiWildcard
    }

    /// A variable binds the request segments its template segments matched (`end` exclusive).
    struct Variable: Sendable, Hashable {
        var fieldPath: [String]
        var start: Int
        var end: Int
    }

    let segments: [Segment]
    let variables: [Variable]
    /// Without the colon; nil when the template has none.
    public let verb: String?
    public let description: String

    public init(_ template: String) throws {
        description = template
        let characters = Array(template.utf8)
        var index = 0
        func fail(_ reason: String) -> ProtoJSONError {
            ProtoJSONError(.invalidHTTPRequest, "path template \"\(template)\": \(reason)")
        }
        guard characters.first == UInt8(ascii: "/") else { throw fail("must start with /") }
        index = 1
        var segments: [Segment] = []
        var variables: [Variable] = []
        var currentVariable: (path: [String], start: Int)?
        var verb: String?

        func literal() -> String {
            let start = index
            while index < characters.count,
                ![UInt8(ascii: "/"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ":"), UInt8(ascii: "=")]
                    .contains(characters[index])
            {
                index += 1
            }
            return String(decoding: characters[start..<index], as: UTF8.self)
        }

        while true {
            guard index < characters.count else { throw fail("ends after a /") }
            switch characters[index] {
            case UInt8(ascii: "{"):
                guard currentVariable == nil else { throw fail("variables cannot nest") }
                index += 1
                let path = literal().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard path.allSatisfy({ !$0.isEmpty }) else { throw fail("variable without a field path") }
                currentVariable = (path, segments.count)
                if index < characters.count && characters[index] == UInt8(ascii: "=") {
                    index += 1
                    continue  // the variable's own segments follow
                }
                segments.append(.wildcard)
            case UInt8(ascii: "*"):
                if index + 1 < characters.count && characters[index + 1] == UInt8(ascii: "*") {
                    segments.append(.multiWildcard)
                    index += 2
                } else {
                    segments.append(.wildcard)
                    index += 1
                }
            default:
                let text = literal()
                guard !text.isEmpty else { throw fail("empty segment") }
                segments.append(.literal(text))
            }
            if let variable = currentVariable, index < characters.count, characters[index] == UInt8(ascii: "}") {
                index += 1
                variables.append(Variable(fieldPath: variable.path, start: variable.start, end: segments.count))
                currentVariable = nil
            }
            guard index < characters.count else { break }
            if characters[index] == UInt8(ascii: "/") {
                index += 1
                continue
            }
            if characters[index] == UInt8(ascii: ":") && currentVariable == nil {
                index += 1
                let text = literal()
                guard !text.isEmpty, index == characters.count else { throw fail("invalid verb") }
                verb = text
                break
            }
            throw fail("unexpected character at \(index)")
        }
        guard currentVariable == nil else { throw fail("unclosed variable") }
        if let position = segments.firstIndex(of: .multiWildcard), position != segments.count - 1 {
            throw fail("** must be the last segment")
        }
        var seen = Set<[String]>()
        for variable in variables where !seen.insert(variable.fieldPath).inserted {
            throw fail("field \(variable.fieldPath.joined(separator: ".")) bound twice")
        }
        self.segments = segments
        self.variables = variables
        self.verb = verb
    }

    /// Segments that are literals: a template with more of them is more specific.
    var literalCount: Int {
        segments.reduce(0) { count, segment in
            if case .literal = segment { count + 1 } else { count }
        }
    }

    var hasMultiWildcard: Bool { segments.last == .multiWildcard }

    /// The variables' values if the request path matches, else nil. `requestSegments` is the path (no query)
    /// split at every `/` after the leading one, which the router does once for all templates. Values are
    /// percent-decoded: fully for a one-segment variable, all but `%2F` for a multi-segment one (http.proto's
    /// reserved expansion).
    func match(_ requestSegments: [Substring]) -> [PathBinding]? {
        var requestSegments = requestSegments
        if let verb {
            // The verb ends the last segment: `/v1/programmes/prg-1:changeStatus`.
            guard let last = requestSegments.last, last.hasSuffix(":" + verb) else { return nil }
            requestSegments[requestSegments.count - 1] = last.dropLast(verb.utf8.count + 1)
        }
        if hasMultiWildcard {
            guard requestSegments.count >= segments.count - 1 else { return nil }
        } else {
            guard requestSegments.count == segments.count else { return nil }
        }
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .literal(let text):
                guard requestSegments[index] == text else { return nil }
            case .wildcard:
                guard !requestSegments[index].isEmpty else { return nil }
            case .multiWildcard: break
            }
        }
        var bindings: [PathBinding] = []
        bindings.reserveCapacity(variables.count)
        for variable in variables {
            let end = variable.end == segments.count && hasMultiWildcard ? requestSegments.count : variable.end
            let parts = requestSegments[variable.start..<end]
            let singleSegment = end - variable.start == 1 && segments[variable.start] != .multiWildcard
            guard let value = percentDecode(parts.joined(separator: "/"), keepSlashes: !singleSegment) else {
                return nil
            }
            bindings.append(PathBinding(fieldPath: variable.fieldPath, value: value))
        }
        return bindings
    }
}

/// A field a path variable sets, and its value.
public struct PathBinding: Sendable, Hashable {
    /// Proto field names from the request message down, e.g. `["programme", "id"]`.
    public var fieldPath: [String]
    public var value: String

    public init(fieldPath: [String], value: String) {
        self.fieldPath = fieldPath
        self.value = value
    }
}

/// `%XX` decoded (and, for query strings, `+` as space); nil on a malformed escape or invalid UTF-8.
/// `keepSlashes`: leave `%2F` encoded.
func percentDecode(_ text: String, keepSlashes: Bool = false, plusAsSpace: Bool = false) -> String? {
    guard text.utf8.contains(UInt8(ascii: "%")) || (plusAsSpace && text.utf8.contains(UInt8(ascii: "+"))) else {
        return text
    }
    let bytes = Array(text.utf8)
    var decoded: [UInt8] = []
    decoded.reserveCapacity(bytes.count)
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        if byte == UInt8(ascii: "%") {
            guard index + 2 < bytes.count, let high = hexDigit(bytes[index + 1]), let low = hexDigit(bytes[index + 2])
            else {
                return nil
            }
            let value = high << 4 | low
            if keepSlashes && value == UInt8(ascii: "/") {
                decoded.append(contentsOf: bytes[index...(index + 2)])
            } else {
                decoded.append(value)
            }
            index += 3
        } else {
            decoded.append(plusAsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
    }
    return decoded.withUnsafeBufferPointer { buffer in
        UTF8Validation.isValid(buffer, range: 0..<buffer.count) ? String(decoding: buffer, as: UTF8.self) : nil
    }
}
