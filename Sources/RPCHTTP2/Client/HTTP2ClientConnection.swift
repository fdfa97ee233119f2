package import Logging
package import NIOCore
package import RPCCore

/// One client HTTP/2 connection on a channel, as a ``ClientTransport``: calls start on the channel's
/// loop and multiplex over its nghttp2 session. ``GRPCChannel`` keeps one per endpoint; tests wire one
/// to a server in memory.
package struct HTTP2ClientConnection: ClientTransport {
    let channel: any Channel
    let handler: NIOLoopBound<ClientConnectionHandler>
    let highWaterMark: Int

    /// Adds a client connection handler to `channel`'s pipeline. Call on the channel's loop.
    package static func add(
        to channel: any Channel,
        configuration: ClientConfiguration,
        logger: Logger
    ) throws -> HTTP2ClientConnection {
        let handler = ClientConnectionHandler(configuration: configuration, logger: logger)
        try channel.pipeline.syncOperations.addHandler(handler)
        return HTTP2ClientConnection(
            channel: channel,
            handler: NIOLoopBound(handler, eventLoop: channel.eventLoop),
            highWaterMark: configuration.streamWriteHighWaterMark
        )
    }

    package func openCall(
        _ method: MethodDescriptor,
        metadata: Metadata,
        deadline: NIODeadline?,
        options: CallOptions
    ) async throws(RPCError) -> any ClientCallStream {
        // A caller already on the channel's loop (the gateway's proxied calls) starts the stream in place:
        // no future, no hop.
        if channel.eventLoop.inEventLoop {
            do {
                return try Self.start(method, metadata, deadline, options, handler, channel, highWaterMark)
            } catch {
                throw Self.startFailure(error)
            }
        }
        let handler = self.handler
        let channel = self.channel
        let highWaterMark = self.highWaterMark
        let future = channel.eventLoop.submit { () throws -> ClientStream in
            try Self.start(method, metadata, deadline, options, handler, channel, highWaterMark)
        }
        do {
            return try await future.get()
        } catch {
            throw Self.startFailure(error)
        }
    }

    private static func start(
        _ method: MethodDescriptor,
        _ metadata: Metadata,
        _ deadline: NIODeadline?,
        _ options: CallOptions,
        _ handler: NIOLoopBound<ClientConnectionHandler>,
        _ channel: any Channel,
        _ highWaterMark: Int
    ) throws -> ClientStream {
        let stream = ClientStream(
            method: method,
            options: options,
            connection: handler.value,
            highWaterMark: highWaterMark,
            eventLoop: channel.eventLoop,
            allocator: channel.allocator
        )
        try handler.value.start(stream, metadata: metadata, deadline: deadline)
        return stream
    }

    /// A failure to start a call as the RPC error it is, or UNAVAILABLE.
    private static func startFailure(_ error: any Error) -> RPCError {
        error as? RPCError ?? RPCError(code: .unavailable, message: "Could not start the call: \(error)")
    }
}
