import IsidSync
import NIOCore
import NIOHTTP1
import ProtoJSON
public import ProtobufRuntime
import RPCCore

/// The gateway's JSON side: every unary RPC as `POST /package.Service/Method` with a JSON body, the readable
/// routes the protos declare with `google.api.http`, and server-streaming RPCs as newline-delimited JSON or
/// server-sent events. Requests are transcoded to binary by the descriptors and go through the same router
/// as gRPC calls (keys, limits, metrics); answers are transcoded back.
public struct JSONTranscoding: Sendable {
    let pool: DescriptorPool
    let transcoder: HTTPTranscoder
    /// The OpenAPI 3.1 document of the routed services' JSON API, made once.
    let openAPI: ByteBuffer
    /// What bodiless GETs resolved to, by URI: pollers ask the same few questions all day, and reading a query
    /// into a request message (through JSON) was a sixth of the gateway's CPU per 304.
    private let resolvedGets = ResolvedGets()

    /// From the descriptors of the APIs the gateway routes (and the standard ones, for error details);
    /// `services` are the routed ones, which the OpenAPI document describes.
    public init(files: [ProtoFileDescriptor], services: Set<String>) throws {
        pool = try DescriptorPool(files: files)
        transcoder = try HTTPTranscoder(pool: pool)
        openAPI = ByteBuffer(
            string: OpenAPIDocument(pool: pool, routes: transcoder.router.routes, services: services).json()
        )
    }

    /// What a request asks for: a method and its request message, or an error to answer with.
    enum Resolution {
        case call(ProtoJSON.MethodDescriptor, request: [UInt8], route: HTTPRoute?)
        case refuse(HTTPResponseStatus, code: StatusCode, message: String, headers: HTTPHeaders, details: String)
    }

    func resolve(_ request: HTTPRequestHead, body: ByteBuffer) -> Resolution? {
        guard request.method == .GET, body.readableBytes == 0 else { return resolveAnew(request, body: body) }
        if let known = resolvedGets.call(for: request.uri) {
            return .call(known.method, request: known.request, route: known.route)
        }
        let resolution = resolveAnew(request, body: body)
        if case .call(let method, let message, let route) = resolution {
            resolvedGets.keep(ResolvedGets.Call(method: method, request: message, route: route), for: request.uri)
        }
        return resolution
    }

    private func resolveAnew(_ request: HTTPRequestHead, body: ByteBuffer) -> Resolution? {
        let uri = request.uri.utf8
        let mark = uri.firstIndex(of: UInt8(ascii: "?"))
        let path = String(Substring(uri[..<(mark ?? uri.endIndex)]))
        let query = mark.map { String(Substring(uri[uri.index(after: $0)...])) } ?? ""
        let bytes = Array(body.readableBytesView)
        do {
            if request.method == .POST, let method = pool.method(path: path), !method.clientStreaming {
                let message =
                    bytes.isEmpty ? [] : try ProtoJSONDecoder(pool: pool).decode(bytes, messageType: method.inputType)
                return .call(method, request: message, route: nil)
            }
            switch transcoder.route(method: request.method.rawValue, path: path) {
            case .matched(let match):
                let message = try transcoder.requestMessage(for: match, query: query, body: bytes)
                return .call(match.route.method, request: message, route: match.route)
            case .methodNotAllowed(let allowed):
                var headers = HTTPHeaders()
                headers.add(name: "allow", value: allowed.joined(separator: ", "))
                return .refuse(
                    .methodNotAllowed,
                    code: .unimplemented,
                    message: "\(request.method) is not allowed on \(path); allowed: \(allowed.joined(separator: ", "))",
                    headers: headers,
                    details: "[]"
                )
            case .notFound:
                return nil
            }
        } catch let error as ProtoJSONError {
            let field = HTTPErrorBody.quoted(error.path)
            let description = HTTPErrorBody.quoted(error.reason)
            return .refuse(
                .badRequest,
                code: .invalidArgument,
                message: error.description,
                headers: [:],
                details: "[{\"@type\":\"type.googleapis.com/google.rpc.BadRequest\",\"fieldViolations\":"
                    + "[{\"field\":\(field),\"description\":\(description)}]}]"
            )
        } catch {
            return .refuse(.badRequest, code: .invalidArgument, message: "\(error)", headers: [:], details: "[]")
        }
    }

    /// The JSON of a response message (or of the route's `response_body` field).
    func responseJSON(_ payload: ByteBuffer, method: ProtoJSON.MethodDescriptor, route: HTTPRoute?) throws -> [UInt8] {
        let bytes = Array(payload.readableBytesView.dropFirst(5))
        if let route { return try transcoder.responseJSON(for: route, response: bytes) }
        return try ProtoJSONEncoder(pool: pool).encode(bytes, messageType: method.outputType)
    }

    /// The error body for a failed call: the google.rpc.Status of its `grpc-status-details-bin` in JSON (code,
    /// message, details with their `@type`), or code and message alone.
    func errorBody(_ status: Status, trailers: Metadata) -> ByteBuffer {
        if let details = trailers.firstBinary("grpc-status-details-bin"),
            let json = try? ProtoJSONEncoder(pool: pool).encode(details, messageType: "google.rpc.Status")
        {
            return ByteBuffer(bytes: json)
        }
        return HTTPErrorBody.json(code: status.code, message: status.message)
    }

    /// HTTP's status for a gRPC code, as google/rpc/code.proto and grpc-gateway map them.
    static func httpStatus(_ code: StatusCode) -> HTTPResponseStatus {
        switch code {
        case .ok: return .ok
        case .cancelled: return .custom(code: 499, reasonPhrase: "Client Closed Request")
        case .invalidArgument, .failedPrecondition, .outOfRange: return .badRequest
        case .deadlineExceeded: return .gatewayTimeout
        case .notFound: return .notFound
        case .alreadyExists, .aborted: return .conflict
        case .permissionDenied: return .forbidden
        case .unauthenticated: return .unauthorized
        case .resourceExhausted: return .tooManyRequests
        case .unimplemented: return .notImplemented
        case .unavailable: return .serviceUnavailable
        default: return .internalServerError
        }
    }

    /// A strong ETag for a JSON body (FNV-1a, 64 bits): equal bodies, equal tags.
    static func etag(_ body: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }
}

/// The calls bodiless GETs resolved to, by URI. Clients choose the URIs, so at most `limit` are kept, and a
/// full table starts over.
private final class ResolvedGets: Sendable {
    struct Call: Sendable {
        let method: ProtoJSON.MethodDescriptor
        let request: [UInt8]
        let route: HTTPRoute?
    }

    static let limit = 1024
    private let calls = Lock<[String: Call]>([:])

    func call(for uri: String) -> Call? {
        calls.withLock { $0[uri] }
    }

    func keep(_ call: Call, for uri: String) {
        calls.withLock { calls in
            if calls.count >= Self.limit { calls.removeAll(keepingCapacity: true) }
            calls[uri] = call
        }
    }
}
