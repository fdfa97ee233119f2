/// One HTTP method + path template bound to an RPC (a method's rule or one of its additional bindings).
public struct HTTPRoute: Sendable {
    public let method: MethodDescriptor
    /// `GET`, `POST`, ... (upper case), or a custom rule's kind.
    public let httpMethod: String
    public let template: PathTemplate
    /// `""`, `"*"` or a top-level request field (see `HTTPRule.body`).
    public let body: String
    /// `""` or a top-level response field (see `HTTPRule.responseBody`).
    public let responseBody: String
}

/// A request matched to its route, with the path variables' values.
public struct HTTPRouteMatch: Sendable {
    public let route: HTTPRoute
    public let pathBindings: [PathBinding]
}

/// What the router found for an HTTP method and path.
public enum HTTPRouteResult: Sendable {
    case matched(HTTPRouteMatch)
    /// The path matches routes, none of them with this method (HTTP 405): their methods.
    case methodNotAllowed(allowed: [String])
    case notFound
}

/// Matches `(HTTP method, path)` to an RPC through the pool's `google.api.http` rules. Routes with a verb
/// (`:watch`) are tried first, then those with more literal segments, then in declaration order, so
/// `/v1/programmes/{id}:changeStatus` wins over `/v1/programmes/{id}` and `/v1/series/count` (were there one)
/// over `/v1/series/{code}`.
public struct HTTPRouter: Sendable {
    public let routes: [HTTPRoute]

    /// Every rule of every method in the pool, checked: templates parse, path variables and `body` name
    /// fields of the request, `response_body` one of the response.
    public init(pool: DescriptorPool) throws {
        var routes: [HTTPRoute] = []
        for service in pool.services {
            for method in service.methods {
                guard let rule = method.httpRule else { continue }
                for binding in [rule] + rule.additionalBindings {
                    routes.append(try Self.route(binding, method, pool))
                }
            }
        }
        let ranked = routes.enumerated().sorted { left, right in
            let a = left.element.template
            let b = right.element.template
            if (a.verb != nil) != (b.verb != nil) { return a.verb != nil }
            if a.hasMultiWildcard != b.hasMultiWildcard { return !a.hasMultiWildcard }
            if a.literalCount != b.literalCount { return a.literalCount > b.literalCount }
            return left.offset < right.offset
        }
        self.routes = ranked.map(\.element)
    }

    private static func route(_ rule: HTTPRule, _ method: MethodDescriptor, _ pool: DescriptorPool) throws -> HTTPRoute
    {
        func fail(_ reason: String) -> ProtoJSONError {
            ProtoJSONError(
                .invalidHTTPRequest,
                "\(method.path): google.api.http \(rule.method) \(rule.pattern): \(reason)"
            )
        }
        guard !rule.method.isEmpty, !rule.pattern.isEmpty else { throw fail("no method or path") }
        let template = try PathTemplate(rule.pattern)
        guard let input = pool.message(named: method.inputType), let output = pool.message(named: method.outputType)
        else {
            throw fail("unknown request or response type")
        }
        for variable in template.variables {
            do {
                let field = try resolveFieldPath(variable.fieldPath, in: input, pool: pool)
                guard !field.isRepeated, field.type != .message || field.typeName.hasPrefix("google.protobuf.") else {
                    throw fail("path variable \(variable.fieldPath.joined(separator: ".")) must be a singular scalar")
                }
            } catch let error as ProtoJSONError where error.kind != .invalidHTTPRequest {
                throw fail(error.reason)
            }
        }
        if !rule.body.isEmpty && rule.body != "*" && input.field(named: rule.body) == nil {
            throw fail("body names no field of \(input.fullName)")
        }
        if !rule.responseBody.isEmpty && output.field(named: rule.responseBody) == nil {
            throw fail("response_body names no field of \(output.fullName)")
        }
        return HTTPRoute(
            method: method,
            httpMethod: rule.method,
            template: template,
            body: rule.body,
            responseBody: rule.responseBody
        )
    }

    /// The route for `method` (case-sensitive, as HTTP methods are) and `path` (no query string).
    public func route(method: String, path: String) -> HTTPRouteResult {
        guard path.first == "/" else { return .notFound }
        var allowed: [String] = []
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        for route in routes {
            guard let bindings = route.template.match(segments) else { continue }
            if route.httpMethod == method { return .matched(HTTPRouteMatch(route: route, pathBindings: bindings)) }
            if !allowed.contains(route.httpMethod) { allowed.append(route.httpMethod) }
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }
}

/// The field a dotted path names, through singular message fields; names are proto or JSON names.
func resolveFieldPath(_ path: [String], in message: MessageDescriptor, pool: DescriptorPool) throws -> FieldDescriptor {
    var current = message
    for (position, name) in path.enumerated() {
        guard let field = current.field(named: name) else {
            throw ProtoJSONError(.unknownField, "message \(current.fullName) has no field named \"\(name)\"")
        }
        if position == path.count - 1 { return field }
        guard field.type == .message, !field.isRepeated, pool.messages[field.messageIndex].wellKnownType == nil else {
            throw ProtoJSONError(.invalidHTTPRequest, "\(field.name) is not a singular message field")
        }
        current = pool.messages[field.messageIndex]
    }
    throw ProtoJSONError(.invalidHTTPRequest, "empty field path")
}
