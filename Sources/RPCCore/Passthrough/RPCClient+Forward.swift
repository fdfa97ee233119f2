extension RPCClient {
    /// Forwards a call a server received through ``RPCRouter/registerPassthrough(_:)`` to this client's
    /// server, unchanged: the request metadata, every message both ways as bytes, the response headers, and
    /// the final status with its trailers. Works for every RPC shape.
    ///
    /// Requests and responses flow at once (a bidirectional call may interleave them); each side reads one
    /// message at a time and each write suspends while its peer is slower, so flow control reaches from the
    /// slower end to the faster one through the proxy. The call's deadline travels on, since the client
    /// takes the earlier of `options.timeout` and the handler's deadline.
    ///
    /// - Parameters:
    ///   - method: where to send the call; the method the client asked for by default.
    ///   - metadata: the request metadata to send; the caller's by default. A proxy that adds or strips
    ///     metadata (identity, credentials) passes its own.
    public func forward(
        _ requests: PassthroughRequestStream,
        to responses: ResponseWriter<PassthroughMessage>,
        context: ServerContext,
        method: MethodDescriptor? = nil,
        metadata: Metadata? = nil,
        options: CallOptions = .defaults
    ) async throws {
        let method = method ?? context.method
        // A method whose shape the route cannot know (a catch-all's, bidirectional for all it knows) may
        // have sent all its requests already, as a unary call has: then it is forwarded in line too.
        var received: [PassthroughMessage] = []
        var allReceived = !method.kind.clientStreams
        if !allReceived {
            gathering: while true {
                switch requests.nextIfReady() {
                case .message(let message): received.append(message)
                case .end:
                    allReceived = true
                    break gathering
                case .notReady: break gathering
                }
            }
        }
        let gathered = received
        if allReceived {
            // No request left to wait for: forwarded in line, without a second task (and the executor hops
            // one costs).
            return try await passthrough(
                method,
                metadata: metadata ?? context.requestMetadata,
                options: options
            ) { upstream, upstreamResponses in
                do {
                    if method.kind.clientStreams {
                        for message in gathered { try await upstream.write(message) }
                    } else {
                        var iterator = requests.makeAsyncIterator()
                        if let request = try await iterator.next() { try await upstream.write(request) }
                    }
                } catch {}
                upstream.close()
                context.addResponseMetadata(try await upstreamResponses.initialMetadata())
                for try await message in upstreamResponses { try await responses.write(message) }
                context.addTrailingMetadata(await upstreamResponses.trailingMetadata())
            }
        }
        try await passthrough(
            method,
            metadata: metadata ?? context.requestMetadata,
            options: options
        ) { upstream, upstreamResponses in
            // Not a child task: once the upstream has answered, the client may still hold its request stream
            // open, and a child would keep the handler from returning. Returning ends the call, which wakes
            // the pump's pending read with an error, so the task ends with the call.
            let pump = Task {
                // A failed write means the upstream call has ended; its status, read below, says why.
                do {
                    for message in gathered { try await upstream.write(message) }
                    for try await message in requests { try await upstream.write(message) }
                } catch {}
                upstream.close()
            }
            defer { pump.cancel() }
            context.addResponseMetadata(try await upstreamResponses.initialMetadata())
            for try await message in upstreamResponses { try await responses.write(message) }
            context.addTrailingMetadata(await upstreamResponses.trailingMetadata())
        }
    }
}
