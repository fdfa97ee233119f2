import ProtoJSON
import RPCCore

/// The gateway's JSON API as an OpenAPI 3.1 document, generated from the protos' descriptors and their
/// `google.api.http` rules: every routed rule and every unary RPC's `POST /package.Service/Method`, with a
/// JSON Schema per message as the proto3 JSON mapping writes it (int64 as strings, enums by name, the
/// well-known types in their JSON forms). Served at `/openapi.json`.
///
/// Written out directly rather than through a document model: it is one pass over the descriptors, and the
/// schema of each field follows from the JSON mapping the codec implements.
struct OpenAPIDocument {
    let pool: DescriptorPool
    let routes: [HTTPRoute]
    /// Services the gateway routes; others are left out.
    let services: Set<String>

    func json() -> String {
        var paths: [(String, [(String, String)])] = []
        var referenced: [String] = []
        func add(_ path: String, _ method: String, _ operation: String) {
            if let index = paths.firstIndex(where: { $0.0 == path }) {
                paths[index].1.append((method, operation))
            } else {
                paths.append((path, [(method, operation)]))
            }
        }
        for route in routes where services.contains(route.method.serviceName) {
            let (path, variables) = Self.openAPIPath(route.template.description)
            let operation = operationJSON(route.method, variables: variables, route: route, referenced: &referenced)
            add(path, route.httpMethod.lowercased(), operation)
        }
        for service in pool.services where services.contains(service.fullName) {
            for method in service.methods where !method.clientStreaming && !method.serverStreaming {
                let operation = operationJSON(method, variables: [], route: nil, referenced: &referenced)
                add(method.path, "post", operation)
            }
        }
        var schemas: [(String, String)] = []
        var done: Set<String> = []
        var queue = referenced + ["google.rpc.Status"]
        while let name = queue.first {
            queue.removeFirst()
            guard !done.contains(name) else { continue }
            done.insert(name)
            var more: [String] = []
            schemas.append((Self.schemaName(name), messageSchema(name, referenced: &more)))
            queue.append(contentsOf: more)
        }
        let pathsJSON = paths.map { path, operations in
            quoted(path) + ":{" + operations.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        }.joined(separator: ",")
        let schemasJSON = schemas.map { quoted($0.0) + ":" + $0.1 }.joined(separator: ",")
        return "{\"openapi\":\"3.1.0\",\"info\":{\"title\":\"Isid gateway\",\"version\":\"v1\",\"description\":"
            + quoted(
                "Isid's services as JSON over HTTP, generated from their protos' descriptors and google.api.http rules."
            )
            + "},\"paths\":{\(pathsJSON)},\"components\":{\"schemas\":{\(schemasJSON)},"
            + "\"securitySchemes\":{\"apiKey\":{\"type\":\"http\",\"scheme\":\"bearer\"}}}}"
    }

    private func operationJSON(
        _ method: ProtoJSON.MethodDescriptor,
        variables: [String],
        route: HTTPRoute?,
        referenced: inout [String]
    ) -> String {
        var parts = [
            "\"operationId\":"
                + quoted(
                    method.serviceName.split(separator: ".").last.map(String.init)! + "_" + method.name
                        + (route == nil ? "_rpc" : "_\(route!.httpMethod.lowercased())")
                ),
            "\"tags\":[" + quoted(method.serviceName) + "]",
            "\"security\":[{\"apiKey\":[]},{}]",
        ]
        var parameters = variables.map { variable in
            "{\"name\":\(quoted(variable)),\"in\":\"path\",\"required\":true,\"schema\":{\"type\":\"string\"}}"
        }
        if let route, route.body != "*", let input = pool.message(named: method.inputType) {
            let bound = Set(variables.map { String($0.split(separator: ".").first ?? "") })
            for field in input.fields where !bound.contains(field.name) && field.name != route.body {
                guard let schema = queryParameterSchema(field) else { continue }
                parameters.append("{\"name\":\(quoted(field.name)),\"in\":\"query\",\"schema\":\(schema)}")
            }
        }
        if !parameters.isEmpty { parts.append("\"parameters\":[" + parameters.joined(separator: ",") + "]") }
        if route == nil || route?.body == "*" {
            referenced.append(method.inputType)
            parts.append(
                "\"requestBody\":{\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
                    + quoted("#/components/schemas/" + Self.schemaName(method.inputType)) + "}}}}"
            )
        }
        referenced.append(method.outputType)
        let success =
            method.serverStreaming
            ? "{\"description\":\"One JSON object per line ({\\\"result\\\": message}, or a last {\\\"error\\\": status}).\","
                + "\"content\":{\"application/x-ndjson\":{\"schema\":{\"type\":\"string\"}},"
                + "\"text/event-stream\":{\"schema\":{\"type\":\"string\"}}}}"
            : "{\"description\":\"The response message.\",\"content\":{\"application/json\":{\"schema\":{\"$ref\":"
                + quoted("#/components/schemas/" + Self.schemaName(method.outputType)) + "}}}}"
        let failure =
            "{\"description\":\"The call's google.rpc.Status.\",\"content\":{\"application/json\":{\"schema\":"
            + "{\"$ref\":\"#/components/schemas/google.rpc.Status\"}}}}"
        var responses = "\"200\":" + success
        if !method.serverStreaming { responses += ",\"304\":{\"description\":\"Not modified (If-None-Match).\"}" }
        responses += ",\"default\":" + failure
        parts.append("\"responses\":{" + responses + "}")
        return "{" + parts.joined(separator: ",") + "}"
    }

    private func queryParameterSchema(_ field: FieldDescriptor) -> String? {
        if field.isMap { return nil }
        if field.type == .message, WellKnownType(fullName: field.typeName) == nil { return nil }
        var none: [String] = []
        let schema = scalarSchema(field, referenced: &none)
        return field.isRepeated ? "{\"type\":\"array\",\"items\":\(schema)}" : schema
    }

    private func messageSchema(_ name: String, referenced: inout [String]) -> String {
        if let known = wellKnownSchema(name) { return known }
        guard let message = pool.message(named: name) else { return "{}" }
        let properties = message.fields.map { field -> String in
            quoted(field.jsonName) + ":" + fieldSchema(field, referenced: &referenced)
        }
        return "{\"type\":\"object\",\"properties\":{" + properties.joined(separator: ",") + "}}"
    }

    private func fieldSchema(_ field: FieldDescriptor, referenced: inout [String]) -> String {
        if field.isMap, let entry = pool.message(named: field.typeName), entry.fields.count == 2 {
            return "{\"type\":\"object\",\"additionalProperties\":"
                + fieldSchema(entry.fields[1], referenced: &referenced)
                + "}"
        }
        let single = scalarSchema(field, referenced: &referenced)
        return field.isRepeated ? "{\"type\":\"array\",\"items\":\(single)}" : single
    }

    private func scalarSchema(_ field: FieldDescriptor, referenced: inout [String]) -> String {
        switch field.type {
        case .double, .float:
            return
                "{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"string\",\"enum\":[\"NaN\",\"Infinity\",\"-Infinity\"]}]}"
        case .int32, .sint32, .sfixed32: return "{\"type\":\"integer\",\"format\":\"int32\"}"
        case .uint32, .fixed32: return "{\"type\":\"integer\",\"format\":\"int32\",\"minimum\":0}"
        case .int64, .sint64, .sfixed64:
            return "{\"type\":[\"string\",\"integer\"],\"format\":\"int64\",\"pattern\":\"^-?[0-9]+$\"}"
        case .uint64, .fixed64:
            return "{\"type\":[\"string\",\"integer\"],\"format\":\"uint64\",\"pattern\":\"^[0-9]+$\"}"
        case .bool: return "{\"type\":\"boolean\"}"
        case .string: return "{\"type\":\"string\"}"
        case .bytes: return "{\"type\":\"string\",\"contentEncoding\":\"base64\"}"
        case .enum:
            let names = pool.enumType(named: field.typeName)?.values.map { quoted($0.name) } ?? []
            return "{\"type\":\"string\",\"enum\":[" + names.joined(separator: ",") + "]}"
        case .message, .group:
            if let known = wellKnownSchema(field.typeName) { return known }
            referenced.append(field.typeName)
            return "{\"$ref\":" + quoted("#/components/schemas/" + Self.schemaName(field.typeName)) + "}"
        }
    }

    /// The well-known types in their JSON forms.
    private func wellKnownSchema(_ name: String) -> String? {
        guard let kind = WellKnownType(fullName: name) else { return nil }
        switch kind {
        case .timestamp: return "{\"type\":\"string\",\"format\":\"date-time\"}"
        case .duration: return "{\"type\":\"string\",\"pattern\":\"^-?[0-9]+(\\\\.[0-9]{1,9})?s$\"}"
        case .fieldMask: return "{\"type\":\"string\"}"
        case .structValue: return "{\"type\":\"object\"}"
        case .value: return "{}"
        case .listValue: return "{\"type\":\"array\"}"
        case .empty: return "{\"type\":\"object\"}"
        case .any: return "{\"type\":\"object\",\"properties\":{\"@type\":{\"type\":\"string\"}}}"
        case .doubleValue, .floatValue: return "{\"type\":[\"number\",\"string\"]}"
        case .int64Value, .uint64Value: return "{\"type\":[\"string\",\"integer\"]}"
        case .int32Value, .uint32Value: return "{\"type\":\"integer\"}"
        case .boolValue: return "{\"type\":\"boolean\"}"
        case .stringValue: return "{\"type\":\"string\"}"
        case .bytesValue: return "{\"type\":\"string\",\"contentEncoding\":\"base64\"}"
        }
    }

    /// `/v1/{name=projects/*}/x:verb` → (`/v1/{name}/x:verb`, ["name"]).
    static func openAPIPath(_ template: String) -> (String, [String]) {
        var path = ""
        var variables: [String] = []
        var inside = false
        var variable = ""
        var skipping = false
        for character in template {
            if inside {
                if character == "}" {
                    inside = false
                    skipping = false
                    variables.append(variable)
                    path += "{\(variable)}"
                } else if character == "=" {
                    skipping = true
                } else if !skipping {
                    variable.append(character)
                }
            } else if character == "{" {
                inside = true
                variable = ""
            } else {
                path.append(character)
            }
        }
        return (path, variables)
    }

    static func schemaName(_ typeName: String) -> String {
        typeName.hasPrefix(".") ? String(typeName.dropFirst()) : typeName
    }

    private func quoted(_ text: String) -> String { HTTPErrorBody.quoted(text) }
}
