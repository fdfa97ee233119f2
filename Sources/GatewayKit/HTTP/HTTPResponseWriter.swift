import IsidSync
public import NIOCore
public import NIOHTTP1

/// Writes one HTTP/1.1 response: the head once, body chunks as they come (each write waits while the client
/// reads more slowly), then the end. Nothing is written after the end.
public final class HTTPResponseWriter: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    private let keepAlive: Bool
    private let progress = Lock((headWritten: false, ended: false, status: 0, bodyBytes: 0))

    init(outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, keepAlive: Bool) {
        self.outbound = outbound
        self.keepAlive = keepAlive
    }

    public var headWritten: Bool { progress.withLock { $0.headWritten } }

    /// What went out, for the access log: the status code (0 before the head) and the body's size.
    var written: (status: Int, bodyBytes: Int) { progress.withLock { ($0.status, $0.bodyBytes) } }

    public func writeHead(_ status: HTTPResponseStatus, headers: HTTPHeaders) async throws {
        let first = progress.withLock { progress in
            defer { progress.headWritten = true }
            guard !progress.headWritten && !progress.ended else { return false }
            progress.status = Int(status.code)
            return true
        }
        guard first else { return }
        var headers = headers
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
    }

    public func writeBody(_ chunk: ByteBuffer) async throws {
        let open = progress.withLock { progress in
            guard !progress.ended else { return false }
            progress.bodyBytes += chunk.readableBytes
            return true
        }
        guard chunk.readableBytes > 0, open else { return }
        try await outbound.write(.body(.byteBuffer(chunk)))
    }

    public func end() async throws {
        let first = progress.withLock { progress in
            defer { progress.ended = true }
            return !progress.ended
        }
        guard first else { return }
        try await outbound.write(.end(nil))
    }

    /// A whole response with a fixed body.
    public func respond(
        _ status: HTTPResponseStatus,
        headers: HTTPHeaders = [:],
        body: ByteBuffer = ByteBuffer()
    )
        async throws
    {
        var headers = headers
        headers.replaceOrAdd(name: "content-length", value: "\(body.readableBytes)")
        try await writeHead(status, headers: headers)
        try await writeBody(body)
        try await end()
    }
}
