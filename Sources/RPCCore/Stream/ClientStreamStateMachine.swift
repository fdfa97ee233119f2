/// The gRPC rules of one call's stream, client side, without I/O: each input says what happened and
/// returns what the transport must do.
///
/// The request half is ours: messages until we close it. The response half is the server's: headers
/// first (or a Trailers-Only block that ends the call at once), then messages, then trailers with the
/// status. The call also ends locally (cancellation, deadline, a response that breaks a rule), in which
/// case the stream is reset so the server stops too, unless HTTP/2 has already closed it.
///
/// A value type stored inline in its stream: no allocation, no existential, no closure per event. The
/// transport keeps the bytes and the final status; the machine keeps only the facts the rules depend on.
package struct ClientStreamStateMachine: Sendable {
    /// Our half.
    package enum RequestState: Sendable, Equatable {
        case open
        /// We sent (or will send once the queue drains) END_STREAM.
        case closed
    }

    /// The server's half.
    package enum ResponseState: Sendable, Equatable {
        case awaitingHeaders
        /// Headers received; messages may arrive.
        case open
        /// The call has its final status.
        case finished
    }

    package private(set) var request: RequestState = .open
    package private(set) var response: ResponseState = .awaitingHeaders
    /// Whether the HTTP/2 stream is gone.
    package private(set) var isStreamClosed = false
    /// Whether HTTP/2 asked for request data and was told to wait: it must be resumed before it asks again.
    private var dataDeferred = false

    package init() {}

    package var hasFinished: Bool { response == .finished }

    // MARK: Actions

    /// How queued request data reaches HTTP/2.
    package enum DataWake: Sendable, Equatable {
        /// HTTP/2 deferred the stream's data: resume it (then write).
        case resumeData
        /// HTTP/2 will ask for the data itself: only write.
        case flush
    }

    package enum HeaderBlockAction: Sendable, Equatable {
        /// The response headers: deliver their metadata; messages may follow.
        case deliverHeaders
        /// A Trailers-Only response: the one block carries the status; there are no headers.
        case finishTrailersOnly
        /// The trailers: the call ends with their status.
        case finishWithTrailers
        /// The first block is not a gRPC response (an HTTP error status): end the call with the status
        /// derived from it and reset the stream.
        case finishAndReset
        /// The call already ended: ignore the block.
        case ignore
    }

    package enum SendMessageAction: Sendable, Equatable {
        case enqueue(DataWake)
        /// The call has its status already; the write fails with it.
        case rejectCallEnded
        /// We closed the request stream already; writing more is a programming error.
        case rejectRequestClosed
    }

    package enum ReadDataAction: Sendable, Equatable {
        /// Send the bytes copied; more may follow.
        case send
        /// The request is closed and drained: END_STREAM goes with these bytes.
        case sendAndEndStream
        /// Nothing to send yet: defer until a message comes or the request closes.
        case deferData
    }

    // MARK: Inbound

    /// A header block arrived; `isHTTPError` when its `:status` is not 200 or its content-type not gRPC.
    package mutating func receiveHeaderBlock(endStream: Bool, isHTTPError: Bool) -> HeaderBlockAction {
        switch response {
        case .awaitingHeaders:
            if isHTTPError {
                response = .finished
                return .finishAndReset
            }
            if endStream {
                response = .finished
                return .finishTrailersOnly
            }
            response = .open
            return .deliverHeaders
        case .open:
            response = .finished
            return .finishWithTrailers
        case .finished:
            return .ignore
        }
    }

    /// DATA arrived. Returns whether to deframe it (false once the call has its status: release and drop).
    package func receiveData() -> Bool {
        response != .finished
    }

    /// The HTTP/2 stream is gone. Returns whether the call had no status yet, in which case it ends with
    /// one derived from the reset code (or "closed without trailers").
    package mutating func streamClosed() -> Bool {
        isStreamClosed = true
        guard response != .finished else { return false }
        response = .finished
        return true
    }

    /// The call ends here, not at the server: cancellation, the deadline, or a response that broke a rule
    /// (over the size limit, malformed, unsupported compression). Returns whether the call was running:
    /// then it ends with the local status and its stream is reset so the server stops too (a stream that
    /// closed has ended its call already).
    package mutating func fail() -> Bool {
        guard response != .finished else { return false }
        response = .finished
        return true
    }

    // MARK: Outbound

    package mutating func sendMessage() -> SendMessageAction {
        if response == .finished { return .rejectCallEnded }
        if request == .closed { return .rejectRequestClosed }
        return .enqueue(wake())
    }

    /// We end the request stream. Returns how to get END_STREAM out, or nil when there is nothing to do
    /// (already closed, or the call has ended).
    package mutating func closeRequest() -> DataWake? {
        guard request == .open else { return nil }
        request = .closed
        return response == .finished ? nil : wake()
    }

    /// HTTP/2 pulled request data; `queueIsEmpty` and `bytesCopied` say what the queue gave it.
    package mutating func readData(queueIsEmpty: Bool, bytesCopied: Int) -> ReadDataAction {
        if queueIsEmpty, request == .closed { return .sendAndEndStream }
        if bytesCopied == 0 {
            dataDeferred = true
            return .deferData
        }
        return .send
    }

    private mutating func wake() -> DataWake {
        guard dataDeferred else { return .flush }
        dataDeferred = false
        return .resumeData
    }
}
