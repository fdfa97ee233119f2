import IsidSync
import NIOCore
import NIOHTTP1
import ProtoJSON
import RPCCore

extension GatewayHTTPResponder {
    /// Answers a JSON request the transcoding resolved.
    func json(
        _ resolution: JSONTranscoding.Resolution,
        transcoding: JSONTranscoding,
        request: HTTPRequestHead,
        peer: String,
        writer: HTTPResponseWriter
    ) async throws {
        switch resolution {
        case .refuse(let status, let code, let message, let extra, let details):
            var headers = jsonHeaders(request)
            headers.add(contentsOf: extra)
            let body = "{\"code\":\(code.rawValue),\"message\":\(HTTPErrorBody.quoted(message)),\"details\":\(details)}"
            try await writer.respond(status, headers: headers, body: ByteBuffer(string: body))
        case .call(let method, let message, let route):
            guard let serverMethod = router.method(forPath: method.path) else {
                return try await writer.respond(
                    .notFound,
                    headers: jsonHeaders(request),
                    body: HTTPErrorBody.json(code: .unimplemented, message: "\(method.path) is not routed here")
                )
            }
            let stream = { (onMessage: @escaping RouterCallStream.MessageSink) in
                RouterCallStream(
                    method: serverMethod.descriptor,
                    requestMetadata: metadata(from: request.headers),
                    deadline: deadline(of: request),
                    peer: peer,
                    framedRequest: .grpcFrame(message),
                    maxMessageSize: settings.maxRequestBytes,
                    onMessage: onMessage
                )
            }
            if method.serverStreaming {
                try await streamed(method, route, transcoding, request, writer, stream)
                return
            }
            var remember: Revalidation.Entry?
            if request.method == .GET, let revalidation = settings.revalidation {
                switch try await revalidate(method, message, revalidation, transcoding, request, peer, writer) {
                case .answered: return
                case .call(let entry): remember = entry
                }
            }
            let cache = settings.revalidation?.cache
            try await unary(method, route, transcoding, request, serverMethod, writer, stream) { etag in
                if let remember { cache?.remember(remember.key, etag: etag, positions: remember.positions) }
            }
        }
    }

    /// A GET that the remembered ETags may answer: 304 without a call while nothing has moved (after the
    /// same admission as a call), the admission's refusal, or on to the call.
    private func revalidate(
        _ method: ProtoJSON.MethodDescriptor,
        _ message: [UInt8],
        _ revalidation: Revalidation,
        _ transcoding: JSONTranscoding,
        _ request: HTTPRequestHead,
        _ peer: String,
        _ writer: HTTPResponseWriter
    ) async throws -> Revalidation.Outcome {
        switch revalidation.decide(
            path: method.path,
            request: message,
            metadata: metadata(from: request.headers),
            peer: peer,
            ifNoneMatch: EntityTags.parse(request.headers.first(name: "if-none-match"))
        ) {
        case .notModified(let etag, let limits):
            var headers = cors(request)
            Self.passLimitHeaders(from: limits, [:], into: &headers)
            headers.add(name: "etag", value: etag)
            settings.onNotModified(method.path, true)
            try await writer.respond(.notModified, headers: headers)
            return .answered
        case .refused(let error):
            var headers = jsonHeaders(request)
            Self.passLimitHeaders(from: [:], error.metadata, into: &headers)
            try await writer.respond(
                JSONTranscoding.httpStatus(error.code),
                headers: headers,
                body: transcoding.errorBody(error.status, trailers: error.metadata)
            )
            return .answered
        case .call(let entry):
            return .call(entry)
        }
    }

    private func unary(
        _ method: ProtoJSON.MethodDescriptor,
        _ route: HTTPRoute?,
        _ transcoding: JSONTranscoding,
        _ request: HTTPRequestHead,
        _ serverMethod: ServerMethod,
        _ writer: HTTPResponseWriter,
        _ makeStream: (@escaping RouterCallStream.MessageSink) -> RouterCallStream,
        answered: (_ etag: String) -> Void
    ) async throws {
        let collected = Collected()
        let stream = makeStream { framed, _ in collected.append(framed) }
        let (status, trailers) = await stream.run(serverMethod)
        var headers = jsonHeaders(request)
        Self.passLimitHeaders(from: stream.responseHeaders, trailers, into: &headers)
        guard status.code == .ok, let payload = collected.first else {
            let code = status.code == .ok ? StatusCode.internal : status.code
            let answer = status.code == .ok ? Status(code: .internal, message: "no response message") : status
            return try await writer.respond(
                JSONTranscoding.httpStatus(code),
                headers: headers,
                body: transcoding.errorBody(answer, trailers: trailers)
            )
        }
        let body: [UInt8]
        do {
            body = try transcoding.responseJSON(payload, method: method, route: route)
        } catch {
            return try await writer.respond(
                .internalServerError,
                headers: headers,
                body: HTTPErrorBody.json(code: .internal, message: "cannot write the answer as JSON: \(error)")
            )
        }
        let etag = JSONTranscoding.etag(body)
        headers.add(name: "etag", value: etag)
        answered(etag)
        if request.method == .GET || request.method == .HEAD {
            let tags = EntityTags.parse(request.headers.first(name: "if-none-match"))
            if tags.contains(where: { $0 == "*" || $0 == etag }) {
                headers.remove(name: "content-type")
                settings.onNotModified(method.path, false)
                return try await writer.respond(.notModified, headers: headers)
            }
        }
        try await writer.respond(.ok, headers: headers, body: ByteBuffer(bytes: body))
    }

    /// A server-streaming RPC: newline-delimited JSON (`{"result": ...}` per message, `{"error": ...}` last if
    /// the call failed), or server-sent events when the client accepts `text/event-stream`.
    private func streamed(
        _ method: ProtoJSON.MethodDescriptor,
        _ route: HTTPRoute?,
        _ transcoding: JSONTranscoding,
        _ request: HTTPRequestHead,
        _ writer: HTTPResponseWriter,
        _ makeStream: (@escaping RouterCallStream.MessageSink) -> RouterCallStream
    ) async throws {
        let events = request.headers.first(name: "accept")?.contains("text/event-stream") == true
        var baseHeaders = cors(request)
        baseHeaders.add(name: "content-type", value: events ? "text/event-stream" : "application/x-ndjson")
        baseHeaders.add(name: "cache-control", value: "no-cache")
        let headersToSend = baseHeaders
        let stream = makeStream { framed, responseHeaders in
            var headers = headersToSend
            Self.passLimitHeaders(from: responseHeaders, [:], into: &headers)
            try await writer.writeHead(.ok, headers: headers)
            let json = try transcoding.responseJSON(framed, method: method, route: route)
            let line =
                events
                ? "data: " + String(decoding: json, as: UTF8.self) + "\n\n"
                : "{\"result\":" + String(decoding: json, as: UTF8.self) + "}\n"
            try await writer.writeBody(ByteBuffer(string: line))
        }
        guard let serverMethod = router.method(forPath: method.path) else { return }
        let (status, trailers) = await stream.run(serverMethod)
        if !writer.headWritten {
            guard status.code == .ok else {
                var headers = jsonHeaders(request)
                Self.passLimitHeaders(from: stream.responseHeaders, trailers, into: &headers)
                return try await writer.respond(
                    JSONTranscoding.httpStatus(status.code),
                    headers: headers,
                    body: transcoding.errorBody(status, trailers: trailers)
                )
            }
            try await writer.writeHead(.ok, headers: baseHeaders)
        }
        // The stream's end says how it ended: a client cannot tell a finished stream from a cut one otherwise.
        let error = String(buffer: transcoding.errorBody(status, trailers: trailers))
        if events {
            let event = status.code == .ok ? "end" : "error"
            try await writer.writeBody(ByteBuffer(string: "event: \(event)\ndata: \(error)\n\n"))
        } else if status.code != .ok {
            try await writer.writeBody(ByteBuffer(string: "{\"error\":\(error)}\n"))
        }
        try await writer.end()
    }

    /// The rate-limit answer headers, from the call's metadata to HTTP.
    static func passLimitHeaders(from headers: Metadata, _ trailers: Metadata, into http: inout HTTPHeaders) {
        for entry in [headers, trailers].joined() where entry.key.hasPrefix("ratelimit-") || entry.key == "retry-after"
        {
            if case .string(let value) = entry.value { http.replaceOrAdd(name: entry.key, value: value) }
        }
    }
}

/// The response messages of a unary call, as the handler sends them.
private final class Collected: Sendable {
    private let messages = Lock<[ByteBuffer]>([])
    func append(_ message: ByteBuffer) { messages.withLock { $0.append(message) } }
    var first: ByteBuffer? { messages.withLock { $0.first } }
}
