import RPCCore

/// One header block a client receives: the response headers, or the trailers, or both at once in a
/// Trailers-Only response.
struct ResponseHead {
    var httpStatus: String?
    var contentType: String?
    var grpcStatus: Int?
    var grpcMessage: String?
    var encodingName: String?
    var metadataReader = MetadataReader()
    var listSize = 0

    mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        listSize += name.count + value.count + 32
        if name.equals(":status") {
            httpStatus = value.string
        } else if name.equals("content-type") {
            contentType = value.string
        } else if name.equals("grpc-status") {
            grpcStatus = Int(value.string)
        } else if name.equals("grpc-message") {
            grpcMessage = PercentEncoding.decode(value)
        } else if name.equals("grpc-encoding") {
            encodingName = value.string
        } else {
            metadataReader.add(name: name, value: value)
        }
    }

    var metadata: Metadata { metadataReader.metadata }

    /// The call's status from a trailer block; a block without `grpc-status` is a protocol error.
    var status: Status {
        guard let grpcStatus else {
            return Status(code: .internal, message: "Server sent trailers without a grpc-status.")
        }
        return Status(code: StatusCode(rawValue: grpcStatus), message: grpcMessage ?? "")
    }

    /// The error a non-gRPC response head means, following gRPC's HTTP-to-status mapping
    /// (doc/http-grpc-status-mapping.md); nil for a valid gRPC response.
    var httpError: Status? {
        guard let httpStatus else { return Status(code: .internal, message: "Response had no :status.") }
        guard httpStatus == "200" else {
            let code: StatusCode
            switch httpStatus {
            case "400": code = .internal
            case "401": code = .unauthenticated
            case "403": code = .permissionDenied
            case "404": code = .unimplemented
            case "429", "502", "503", "504": code = .unavailable
            default: code = .unknown
            }
            return Status(code: code, message: "Received HTTP status \(httpStatus) instead of a gRPC response.")
        }
        guard let contentType, contentType.hasPrefix("application/grpc") else {
            return Status(
                code: .unknown,
                message: "Received content-type '\(contentType ?? "")' instead of application/grpc."
            )
        }
        return nil
    }
}
