/// JSON over HTTP to and from gRPC messages by the `google.api.http` rules (google/api/http.proto): builds the
/// request message from the path variables, the query parameters and the body, and writes the response (or
/// its `response_body` field) as JSON.
///
/// Request fields come from, in increasing precedence: the body (all of it for `body: "*"`, or the named
/// field), the query parameters (every field not bound by the path when the body is not `*`: `?a=1&a=2` for
/// a repeated field, `?a.b=1` for a nested one, enums by name), the path variables. Query parameters and path
/// values are read as JSON strings are (int64 from digits, enums by name or number, bytes in base64,
/// Timestamp/Duration/FieldMask/wrappers in their JSON forms), and bools as `true`/`false`.
public struct HTTPTranscoder: Sendable {
    public let pool: DescriptorPool
    public let router: HTTPRouter
    public var decodingOptions: ProtoJSONDecodingOptions
    public var encodingOptions: ProtoJSONEncodingOptions

    public init(
        pool: DescriptorPool,
        decodingOptions: ProtoJSONDecodingOptions = .init(),
        encodingOptions: ProtoJSONEncodingOptions = .init()
    ) throws {
        self.pool = pool
        self.router = try HTTPRouter(pool: pool)
        self.decodingOptions = decodingOptions
        self.encodingOptions = encodingOptions
    }

    public func route(method: String, path: String) -> HTTPRouteResult { router.route(method: method, path: path) }

    /// The request message's binary. `query` is the raw query string (without `?`); `body` the raw JSON body
    /// (empty when there is none). Errors name the field or parameter (kind `invalidValue`, `unknownField`,
    /// `malformedJSON` or `invalidHTTPRequest`).
    public func requestMessage(for match: HTTPRouteMatch, query: String, body: [UInt8]) throws -> [UInt8] {
        let route = match.route
        let inputType = route.method.inputType
        guard let input = pool.message(named: inputType) else {
            throw ProtoJSONError(.unknownType, "unknown message type \(inputType)")
        }
        let decoder = ProtoJSONDecoder(pool: pool, options: decodingOptions)
        var message: [UInt8] = []

        let hasBody = body.contains { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }
        if route.body == "*" {
            if hasBody { message = try decoder.decode(body, messageType: inputType) }
        } else if !route.body.isEmpty {
            if hasBody {
                // The body is the named field's JSON value: decode it in place, so errors name the field. It
                // must be one JSON value on its own first, or `{}, "etag": "x"` would set a second field.
                _ = try body.withUnsafeBufferPointer { try JSONParser.parse($0, limits: decodingOptions.limits) }
                var wrapped = JSONOutput()
                wrapped.append(UInt8(ascii: "{"))
                wrapped.appendString(route.body)
                wrapped.append(UInt8(ascii: ":"))
                wrapped.appendRaw(body)
                wrapped.append(UInt8(ascii: "}"))
                message = try decoder.decode(wrapped.bytes, messageType: inputType)
            }
        } else if hasBody {
            throw ProtoJSONError(.invalidHTTPRequest, "\(route.httpMethod) \(route.template) takes no request body")
        }

        let pathFields = Set(match.pathBindings.map { $0.fieldPath.joined(separator: ".") })
        if !query.isEmpty {
            var tree = ParameterTree()
            for parameter in query.split(separator: "&") where !parameter.isEmpty {
                let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = percentDecode(String(parts[0]), plusAsSpace: true),
                    let value = percentDecode(parts.count > 1 ? String(parts[1]) : "", plusAsSpace: true)
                else {
                    throw ProtoJSONError(
                        .invalidHTTPRequest,
                        "query parameter \(parameter) is not percent-encoded UTF-8"
                    )
                }
                if route.body == "*" {
                    if decodingOptions.ignoreUnknownFields { continue }
                    throw ProtoJSONError(
                        .invalidHTTPRequest,
                        "query parameter \(name): every field comes from the body in this route",
                        path: [.field(name)]
                    )
                }
                let fieldPath = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                let field: FieldDescriptor
                do {
                    field = try resolveFieldPath(fieldPath, in: input, pool: pool)
                } catch let error as ProtoJSONError {
                    if decodingOptions.ignoreUnknownFields && error.kind == .unknownField { continue }
                    throw ProtoJSONError(error.kind, "query parameter \(name): \(error.reason)", path: [.field(name)])
                }
                let protoPath = try canonicalPath(fieldPath, input)
                if pathFields.contains(protoPath.joined(separator: ".")) {
                    throw ProtoJSONError(.invalidHTTPRequest, "query parameter \(name) is already bound by the path")
                }
                if route.body == protoPath[0] {
                    throw ProtoJSONError(.invalidHTTPRequest, "query parameter \(name) is part of the body")
                }
                guard !field.isMap, field.type != .message || isStringFormWellKnown(field),
                    !(field.isRepeated && field.type == .message)
                else {
                    throw ProtoJSONError(
                        .invalidHTTPRequest,
                        "query parameter \(name) names a message or map field, which a query cannot set",
                        path: protoPath.map { .field($0) }
                    )
                }
                try tree.add(protoPath[...], value: value, repeated: field.isRepeated)
            }
            if !tree.isEmpty {
                message += try decoder.decode(tree.json(), messageType: inputType, scalarsFromStrings: true)
            }
        }

        if !match.pathBindings.isEmpty {
            var tree = ParameterTree()
            for binding in match.pathBindings {
                try tree.add(try canonicalPath(binding.fieldPath, input)[...], value: binding.value, repeated: false)
            }
            // Last, so the path wins over a body that sets the same field (the parsers keep the last value).
            message += try decoder.decode(tree.json(), messageType: inputType, scalarsFromStrings: true)
        }
        return message
    }

    /// The JSON answer to a route from the RPC's response binary: the whole message, or its `response_body`
    /// field.
    public func responseJSON(for route: HTTPRoute, response: [UInt8]) throws -> [UInt8] {
        let encoder = ProtoJSONEncoder(pool: pool, options: encodingOptions)
        if route.responseBody.isEmpty {
            return try encoder.encode(response, messageType: route.method.outputType)
        }
        return try encoder.encodeField(response, messageType: route.method.outputType, field: route.responseBody)
    }

    /// The path in proto field names (a query may use JSON names).
    private func canonicalPath(_ path: [String], _ input: MessageDescriptor) throws -> [String] {
        var current = input
        var names: [String] = []
        for name in path {
            guard let field = current.field(named: name) else {
                throw ProtoJSONError(.unknownField, "message \(current.fullName) has no field named \"\(name)\"")
            }
            names.append(field.name)
            if field.type == .message { current = pool.messages[field.messageIndex] }
        }
        return names
    }

    private func isStringFormWellKnown(_ field: FieldDescriptor) -> Bool {
        guard let kind = pool.messages[field.messageIndex].wellKnownType else { return false }
        return kind == .timestamp || kind == .duration || kind == .fieldMask || kind.isWrapper
    }
}

/// Query parameters or path values grouped by field into a JSON object of strings (nested objects for
/// `a.b`, arrays for repeated fields), which the JSON decoder then reads with the field types.
struct ParameterTree {
    private enum Node {
        case values([String], repeated: Bool)
        case object(ParameterTree)
    }

    private var names: [String] = []
    private var nodes: [Node] = []

    var isEmpty: Bool { names.isEmpty }

    mutating func add(_ path: ArraySlice<String>, value: String, repeated: Bool) throws {
        let name = path.first!
        let position = names.firstIndex(of: name)
        if path.count == 1 {
            if let position {
                guard case .values(let existing, true) = nodes[position], repeated else {
                    throw ProtoJSONError(
                        .invalidHTTPRequest,
                        "field \(name) is given more than once",
                        path: [.field(name)]
                    )
                }
                nodes[position] = .values(existing + [value], repeated: true)
            } else {
                names.append(name)
                nodes.append(.values([value], repeated: repeated))
            }
            return
        }
        var child = ParameterTree()
        if let position {
            guard case .object(let existing) = nodes[position] else {
                throw ProtoJSONError(.invalidHTTPRequest, "field \(name) is given more than once", path: [.field(name)])
            }
            child = existing
        }
        do {
            try child.add(path.dropFirst(), value: value, repeated: repeated)
        } catch let error as ProtoJSONError {
            throw error.within(.field(name))
        }
        if let position {
            nodes[position] = .object(child)
        } else {
            names.append(name)
            nodes.append(.object(child))
        }
    }

    func json() -> [UInt8] {
        var out = JSONOutput()
        write(into: &out)
        return out.bytes
    }

    private func write(into out: inout JSONOutput) {
        out.append(UInt8(ascii: "{"))
        for (index, name) in names.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.appendString(name)
            out.append(UInt8(ascii: ":"))
            switch nodes[index] {
            case .values(let values, let repeated):
                if repeated { out.append(UInt8(ascii: "[")) }
                for (position, value) in values.enumerated() {
                    if position > 0 { out.append(UInt8(ascii: ",")) }
                    out.appendString(value)
                }
                if repeated { out.append(UInt8(ascii: "]")) }
            case .object(let child): child.write(into: &out)
            }
        }
        out.append(UInt8(ascii: "}"))
    }
}
