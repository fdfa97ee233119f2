public import NIOCore
public import NIOHTTP1
import Synchronization

/// Writes one HTTP/1.1 response: the head once, body chunks as they come (each write waits while the client
/// reads more slowly), then the end. Nothing is written after the end.
public final class HTTPResponseWriter: Sendable {
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    private let keepAlive: Bool
    private let progress = Mutex((headWritten: false, ended: false))

    init(outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, keepAlive: Bool) {
        self.outbound = outbound
        self.keepAlive = keepAlive
    }

    public var headWritten: Bool { progress.withLock { $0.headWritten } }

    public func writeHead(_ status: HTTPResponseStatus, headers: HTTPHeaders) async throws {
        let first = progress.withLock { progress in
            defer { progress.headWritten = true }
            return !progress.headWritten && !progress.ended
        }
        guard first else { return }
        var headers = headers
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
    }

    public func writeBody(_ chunk: ByteBuffer) async throws {
        guard chunk.readableBytes > 0, !progress.withLock({ $0.ended }) else { return }
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
