/// A method's `google.api.http` option (google/api/http.proto): the HTTP method and path template that map
/// to the RPC, where the request's fields come from, and what of the response is the HTTP body.
public struct HTTPRule: Sendable, Hashable {
    /// `GET`, `PUT`, `POST`, `DELETE`, `PATCH`, or a custom rule's kind as written.
    public var method: String
    /// The path template, e.g. `/v1/indicators/{series_code}/latest`.
    public var pattern: String
    /// `""` (no body), `"*"` (every field not bound by the path) or a top-level field name.
    public var body: String
    /// `""` (the whole response) or the top-level response field that is the HTTP body.
    public var responseBody: String
    /// More method + path pairs for the same RPC (one level deep, as http.proto requires).
    public var additionalBindings: [HTTPRule]

    public init(
        method: String,
        pattern: String,
        body: String = "",
        responseBody: String = "",
        additionalBindings: [HTTPRule] = []
    ) {
        self.method = method
        self.pattern = pattern
        self.body = body
        self.responseBody = responseBody
        self.additionalBindings = additionalBindings
    }

    /// HttpRule: selector 1, get 2, put 3, post 4, delete 5, patch 6, custom 8 (kind 1, path 2), body 7,
    /// additional_bindings 11, response_body 12.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) throws -> HTTPRule {
        var rule = HTTPRule(method: "", pattern: "")
        try forEachField(bytes, range) { number, reader in
            switch number {
            case 2: (rule.method, rule.pattern) = ("GET", try reader.string())
            case 3: (rule.method, rule.pattern) = ("PUT", try reader.string())
            case 4: (rule.method, rule.pattern) = ("POST", try reader.string())
            case 5: (rule.method, rule.pattern) = ("DELETE", try reader.string())
            case 6: (rule.method, rule.pattern) = ("PATCH", try reader.string())
            case 8:
                var kind = ""
                var path = ""
                try forEachField(bytes, try reader.payload()) { field, customReader in
                    switch field {
                    case 1: kind = try customReader.string()
                    case 2: path = try customReader.string()
                    default: try customReader.skip()
                    }
                }
                (rule.method, rule.pattern) = (kind, path)
            case 7: rule.body = try reader.string()
            case 11: rule.additionalBindings.append(try HTTPRule.parse(bytes, range: try reader.payload()))
            case 12: rule.responseBody = try reader.string()
            default: try reader.skip()
            }
        }
        return rule
    }
}
