import RPCCore

/// Header blocks most calls send unchanged, built once: most responses carry no metadata and most
/// trailers say only `grpc-status: 0`, so they need no per-call allocation.
enum PrebuiltHeaders {
    /// Response headers without metadata or compression, for `content-type: application/grpc`.
    static let plainResponse: HeaderList = {
        var headers = HeaderList()
        headers.add(":status", "200")
        headers.add("content-type", "application/grpc")
        headers.add("grpc-accept-encoding", MessageEncoding.acceptEncodingHeader)
        return headers
    }()

    /// Trailers of a call that ended OK with no trailing metadata.
    static let okTrailers: HeaderList = {
        var headers = HeaderList()
        headers.add(status: .ok, trailers: [:])
        return headers
    }()
}
