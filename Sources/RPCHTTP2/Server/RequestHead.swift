import IsidSync
import RPCCore

/// The request headers of one incoming stream, collected field by field as nghttp2 decodes them.
struct RequestHead {
    static let grpcContentType = "application/grpc"

    /// Resolves `:path` as it arrives, straight from its bytes.
    let router: RPCRouter
    var method: String?
    /// Whether a `:path` was received.
    var hasPath = false
    /// The method `:path` names; nil until it arrives, or when no such method is registered.
    var serverMethod: ServerMethod?
    /// `:path` as text, kept only when it names no registered method (for the error message).
    var unknownPath: String?
    var contentType: String?
    var timeout: Int64?
    var timeoutIsMalformed = false
    var encodingName: String?
    var acceptEncoding: [MessageEncoding] = []
    var metadataReader = MetadataReader()
    /// Bytes of header list seen so far, counted as RFC 9113 §6.5.2 does (name + value + 32).
    var listSize = 0

    /// The `grpc-accept-encoding` list read last, and what it says. A client sends the same list on every call,
    /// so it is parsed (three allocations) once per client, not per request.
    private static let lastAcceptEncoding = Lock<(value: [UInt8], encodings: [MessageEncoding])>(([], []))

    static func acceptedEncodings(_ value: UnsafeRawBufferPointer) -> [MessageEncoding] {
        if let known = lastAcceptEncoding.withLock({ value.equals($0.value) ? $0.encodings : nil }) { return known }
        let encodings = MessageEncoding.parseAcceptList(value.string)
        lastAcceptEncoding.withLock { $0 = (Array(value), encodings) }
        return encodings
    }

    init(router: RPCRouter) {
        self.router = router
    }

    mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        listSize += name.count + value.count + 32
        if name.first == UInt8(ascii: ":") {
            if name.equals(":path") {
                hasPath = true
                serverMethod = router.method(forPath: value)
                unknownPath = serverMethod == nil ? value.string : nil
            } else if name.equals(":method") {
                method = value.string
            }
            return
        }
        if name.equals("content-type") {
            // The usual value shares one string instead of allocating a new one per request.
            contentType = value.equals("application/grpc") ? Self.grpcContentType : value.string
        } else if name.equals("grpc-timeout") {
            timeout = GRPCTimeout.parse(value)
            timeoutIsMalformed = timeout == nil
        } else if name.equals("grpc-encoding") {
            encodingName = value.string
        } else if name.equals("grpc-accept-encoding") {
            acceptEncoding = Self.acceptedEncodings(value)
        } else {
            metadataReader.add(name: name, value: value)
        }
    }

    /// What to do with a complete request head, decided without I/O.
    enum Verdict {
        /// Answer with a bare HTTP status and a plain-text body saying why (not a gRPC request at all).
        case httpError(status: StaticString, explanation: StaticString)
        /// Answer with a Trailers-Only gRPC status.
        case reject(Status, Metadata)
        case accept(ServerMethod, MessageEncoding?)
    }

    func verdict() -> Verdict {
        guard method == "POST" else {
            return .httpError(
                status: "405",
                explanation: """
                    This port speaks gRPC over HTTP/2 (content-type application/grpc): \
                    requests are POSTs made by a gRPC client.\n
                    """
            )
        }
        guard let contentType, contentType.hasPrefix("application/grpc"),
            contentType.count == 16 || contentType.utf8.dropFirst(16).first == UInt8(ascii: "+")
                || contentType.utf8.dropFirst(16).first == UInt8(ascii: ";")
        else {
            return .httpError(
                status: "415",
                explanation: """
                    This port speaks gRPC over HTTP/2: requests need content-type application/grpc \
                    (or application/grpc+proto) and a gRPC client.\n
                    """
            )
        }
        guard hasPath else {
            return .httpError(
                status: "400",
                explanation: """
                    This port speaks gRPC over HTTP/2 (content-type application/grpc): \
                    the request has no :path.\n
                    """
            )
        }
        guard let serverMethod else {
            let message = unimplementedMessage(path: unknownPath ?? "")
            return .reject(Status(code: .unimplemented, message: message), [:])
        }
        if timeoutIsMalformed {
            return .reject(Status(code: .internal, message: "Malformed grpc-timeout header."), [:])
        }
        var requestEncoding: MessageEncoding?
        if let encodingName {
            guard let encoding = MessageEncoding(name: encodingName.utf8) else {
                return .reject(
                    Status(code: .unimplemented, message: "Message compression '\(encodingName)' is not supported."),
                    ["grpc-accept-encoding": .string(MessageEncoding.acceptEncodingHeader)]
                )
            }
            requestEncoding = encoding == .identity ? nil : encoding
        }
        return .accept(serverMethod, requestEncoding)
    }

    /// Says which part of the path is unknown, as gRPC's reference servers do.
    private func unimplementedMessage(path: String) -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty else { return "Malformed method path \(path)." }
        let service = String(parts[1])
        if router.serviceNames.contains(service) {
            return "Method \(parts[2]) not found in service \(service)."
        }
        return "Service \(service) is not implemented."
    }
}
