import NIOCore
import NIOHTTP1
import RPCCore

/// Answers one HTTP/1.1 request: CORS preflights, gRPC-Web calls (through the router, like gRPC calls), and
/// a JSON error for anything else.
struct GatewayHTTPResponder: Sendable {
    let router: RPCRouter
    let settings: HTTP1Settings
    let transcoding: JSONTranscoding?

    /// Request headers that are HTTP's or the browser's, not call metadata: never forwarded.
    private static let notMetadata: Set<String> = [
        "host", "connection", "content-length", "content-type", "transfer-encoding", "te", "upgrade", "keep-alive",
        "accept", "accept-encoding", "accept-language", "origin", "referer", "cookie", "user-agent", "x-grpc-web",
        "x-user-agent", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding", "pragma", "cache-control",
    ]

    func respond(to request: HTTPRequestHead, body: ByteBuffer, peer: String, writer: HTTPResponseWriter) async throws {
        if request.method == .OPTIONS { return try await preflight(request, writer: writer) }
        let contentType = request.headers.first(name: "content-type") ?? ""
        let web = GRPCWebFormat.kind(ofContentType: contentType)
        if request.method == .POST, web.isGRPCWeb {
            return try await grpcWeb(request, body: body, isText: web.isText, peer: peer, writer: writer)
        }
        if let transcoding, request.method == .GET, request.uri.prefix(while: { $0 != "?" }) == "/openapi.json" {
            var headers = jsonHeaders(request)
            headers.add(name: "cache-control", value: "public, max-age=300")
            return try await writer.respond(.ok, headers: headers, body: transcoding.openAPI)
        }
        if let transcoding, let resolution = transcoding.resolve(request, body: body) {
            return try await json(resolution, transcoding: transcoding, request: request, peer: peer, writer: writer)
        }
        try await writer.respond(
            .notFound,
            headers: jsonHeaders(request),
            body: HTTPErrorBody.json(code: .unimplemented, message: "no route for \(request.method) \(request.uri)")
        )
    }

    func refuseTooLarge(_ request: HTTPRequestHead, writer: HTTPResponseWriter) async throws {
        try await writer.respond(
            .payloadTooLarge,
            headers: jsonHeaders(request),
            body: HTTPErrorBody.json(
                code: .resourceExhausted,
                message: "the request body is larger than \(settings.maxRequestBytes) bytes"
            )
        )
    }

    // MARK: gRPC-Web

    private func grpcWeb(
        _ request: HTTPRequestHead,
        body: ByteBuffer,
        isText: Bool,
        peer: String,
        writer: HTTPResponseWriter
    ) async throws {
        var headers = cors(request)
        headers.add(
            name: "content-type",
            value: isText ? "application/grpc-web-text+proto" : "application/grpc-web+proto"
        )
        let path = String(request.uri.prefix { $0 != "?" })
        let decoded = isText ? GRPCWebFormat.decodeText(body) : body
        guard let method = router.method(forPath: path), let decoded else {
            let status =
                decoded == nil
                ? Status(code: .invalidArgument, message: "the body is not base64")
                : Status(code: .unimplemented, message: "Method not found: \(path)")
            try await writer.writeHead(.ok, headers: headers)
            let frame = GRPCWebFormat.trailersFrame(status: status, trailers: [:])
            try await writer.writeBody(isText ? GRPCWebFormat.encodeText(frame) : frame)
            return try await writer.end()
        }
        let webHeaders = headers
        let stream = RouterCallStream(
            method: method.descriptor,
            requestMetadata: metadata(from: request.headers),
            deadline: deadline(of: request),
            peer: peer,
            framedRequest: decoded,
            maxMessageSize: settings.maxRequestBytes
        ) { framed, responseHeaders in
            if !writer.headWritten { try await writer.writeHead(.ok, headers: Self.merge(webHeaders, responseHeaders)) }
            try await writer.writeBody(isText ? GRPCWebFormat.encodeText(framed) : framed)
        }
        let (status, trailers) = await stream.run(method)
        if !writer.headWritten { try await writer.writeHead(.ok, headers: Self.merge(headers, stream.responseHeaders)) }
        let frame = GRPCWebFormat.trailersFrame(status: status, trailers: trailers)
        try await writer.writeBody(isText ? GRPCWebFormat.encodeText(frame) : frame)
        try await writer.end()
    }

    /// The call's deadline, from `grpc-timeout`.
    func deadline(of request: HTTPRequestHead) -> NIODeadline? {
        request.headers.first(name: "grpc-timeout").flatMap { GRPCTimeout.parse(Array($0.utf8)) }.map {
            NIODeadline.now() + .nanoseconds($0)
        }
    }

    /// HTTP headers plus call metadata (`-bin` values in base64).
    static func merge(_ headers: HTTPHeaders, _ metadata: Metadata) -> HTTPHeaders {
        var headers = headers
        for entry in metadata {
            switch entry.value {
            case .string(let value): headers.add(name: entry.key, value: value)
            case .binary(let bytes): headers.add(name: entry.key, value: Base64.encode(bytes, padded: true))
            }
        }
        return headers
    }

    /// The call metadata a request carries: its headers minus HTTP's own; `-bin` values are base64.
    func metadata(from headers: HTTPHeaders) -> Metadata {
        var metadata = Metadata()
        for (name, value) in headers {
            let key = name.lowercased()
            if Self.notMetadata.contains(key) || key.hasPrefix("sec-") || key.hasPrefix("access-control-")
                || key.hasPrefix(":")
            {
                continue
            }
            if key.hasSuffix("-bin") {
                if let bytes = Base64.decode(value) { metadata.add(key, binary: bytes) }
            } else {
                metadata.add(key, value)
            }
        }
        return metadata
    }

    // MARK: CORS

    private func preflight(_ request: HTTPRequestHead, writer: HTTPResponseWriter) async throws {
        var headers = cors(request)
        headers.add(name: "access-control-allow-methods", value: "GET, POST, PATCH, DELETE, OPTIONS")
        headers.add(
            name: "access-control-allow-headers",
            value: request.headers.first(name: "access-control-request-headers")
                ?? "authorization, content-type, grpc-timeout, x-grpc-web, x-user-agent"
        )
        headers.add(name: "access-control-max-age", value: "86400")
        try await writer.respond(.noContent, headers: headers)
    }

    /// The CORS headers for a request from an allowed origin.
    func cors(_ request: HTTPRequestHead) -> HTTPHeaders {
        var headers = HTTPHeaders()
        guard let origin = request.headers.first(name: "origin") else { return headers }
        if settings.allowedOrigins.contains("*") {
            headers.add(name: "access-control-allow-origin", value: "*")
        } else if settings.allowedOrigins.contains(origin) {
            headers.add(name: "access-control-allow-origin", value: origin)
            headers.add(name: "vary", value: "Origin")
        } else {
            return headers
        }
        headers.add(
            name: "access-control-expose-headers",
            value: "grpc-status, grpc-message, grpc-status-details-bin, ratelimit-limit, ratelimit-remaining, "
                + "ratelimit-reset, ratelimit-policy, retry-after"
        )
        return headers
    }

    func jsonHeaders(_ request: HTTPRequestHead) -> HTTPHeaders {
        var headers = cors(request)
        headers.add(name: "content-type", value: "application/json")
        return headers
    }
}

/// The JSON error body of the gateway's HTTP side: `code` (the gRPC status number), `message`, `details`, as
/// grpc-gateway and Google's APIs shape it.
enum HTTPErrorBody {
    static func json(code: StatusCode, message: String) -> ByteBuffer {
        ByteBuffer(string: "{\"code\":\(code.rawValue),\"message\":\(quoted(message)),\"details\":[]}")
    }

    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
