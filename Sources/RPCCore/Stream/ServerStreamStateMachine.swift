/// The gRPC rules of one call's stream, server side, without I/O: each input says what happened and
/// returns what the transport must do.
///
/// The two halves of the stream move independently. The request half is the client's: open until
/// END_STREAM, or failed once a message broke a rule (malformed, over the size limit). The response half
/// is ours: headers before any message, the final status once, and that status either as trailers behind
/// the queued messages or, when no headers went out, as a Trailers-Only response. Below both lies the
/// HTTP/2 stream itself, which the peer can reset at any time.
///
/// A value type stored inline in its stream: no allocation, no existential, no closure per event. The
/// transport keeps the bytes (messages, trailers); the machine keeps only the facts the rules depend on.
package struct ServerStreamStateMachine: Sendable {
    /// The client's half.
    package enum RequestState: Sendable, Equatable {
        /// Messages may still arrive.
        case open
        /// The client sent END_STREAM between messages.
        case ended
        /// A message broke a rule; the call ended with its error and later bytes are dropped.
        case failed
    }

    /// Our half.
    package enum ResponseState: Sendable, Equatable {
        /// Nothing sent: the final status would go out as Trailers-Only.
        case idle
        /// Headers submitted; messages may follow.
        case open
        /// The final status is decided; its trailers wait until the queued messages have been read.
        case closing
        /// The response has ended (trailers handed to HTTP/2, Trailers-Only sent, or the stream is gone).
        case closed
    }

    package private(set) var request: RequestState = .open
    package private(set) var response: ResponseState = .idle
    /// Whether the HTTP/2 stream is gone (closed after both ends, or reset by either side).
    package private(set) var isStreamClosed = false
    /// Whether HTTP/2 asked for response data and was told to wait: it must be resumed before it asks again.
    private var dataDeferred = false

    package init() {}

    /// Whether the call has its final status (its handler need not, or must not, start or go on).
    package var hasFinished: Bool { response == .closing || response == .closed }

    /// Whether a handler may start: a streaming-request call starts at once, the others once their one
    /// request has arrived whole (or failed), so their task never waits for it.
    package func isReadyToStart(clientStreams: Bool) -> Bool {
        !hasFinished && !isStreamClosed && (clientStreams || request != .open)
    }

    // MARK: Actions

    /// How queued response data reaches HTTP/2.
    package enum DataWake: Sendable, Equatable {
        /// HTTP/2 deferred the stream's data: resume it (then write).
        case resumeData
        /// HTTP/2 will ask for the data itself: only write.
        case flush
    }

    /// What ending the call needs.
    package enum FinishAction: Sendable, Equatable {
        /// Nothing: the call already had its final status, or its stream is gone.
        case none
        /// Headers went out: queue the trailers behind the response messages.
        case sendTrailers(DataWake)
        /// Nothing went out: one HEADERS frame with END_STREAM carries the status.
        case sendTrailersOnly
    }

    package enum ReceiveAction: Sendable, Equatable {
        /// Deframe the bytes and deliver the messages.
        case deliver
        /// The request failed or the call ended: release the bytes to flow control and drop them.
        case discard
    }

    package enum SendMessageAction: Sendable, Equatable {
        /// Queue the message, after submitting the headers if `headersFirst`.
        case enqueue(headersFirst: Bool, DataWake)
        /// The call has ended: the handler's write fails.
        case rejectCallEnded
    }

    package enum ReadDataAction: Sendable, Equatable {
        /// Send the bytes copied; more may follow.
        case send
        /// The queue is drained and the status decided: end the data (without END_STREAM) and submit
        /// the trailers, which end the stream.
        case sendThenTrailers
        /// Nothing to send yet: defer until a message or the status arrives.
        case deferData
    }

    // MARK: Inbound

    /// DATA arrived.
    package func receive() -> ReceiveAction {
        request == .failed || hasFinished ? .discard : .deliver
    }

    /// The client sent END_STREAM. Returns whether the request half was open, so the deframer must check
    /// that the stream ended between messages.
    package mutating func receiveEndOfRequest() -> Bool {
        guard request == .open else { return false }
        request = .ended
        return true
    }

    /// A request message broke a rule (malformed, compressed without an encoding, over the size limit):
    /// the call ends with that error's status.
    package mutating func requestFailed() -> FinishAction {
        request = .failed
        return finish()
    }

    /// The HTTP/2 stream is gone (closed, or reset by the client). Returns whether the call was still
    /// running, in which case its handler is cancelled. Nothing can be sent after this.
    package mutating func streamClosed() -> Bool {
        isStreamClosed = true
        guard !hasFinished else { return false }
        response = .closed
        return true
    }

    /// The deadline from `grpc-timeout` passed: the call ends with DEADLINE_EXCEEDED.
    package mutating func deadlineExpired() -> FinishAction {
        finish()
    }

    // MARK: Outbound

    /// The handler sends its headers. Returns whether to submit them (only the first time, and only
    /// before the call ended).
    package mutating func sendHeaders() -> Bool {
        guard response == .idle else { return false }
        response = .open
        return true
    }

    /// The handler sends a message: headers go first if they have not.
    package mutating func sendMessage() -> SendMessageAction {
        switch response {
        case .idle:
            response = .open
            return .enqueue(headersFirst: true, wake())
        case .open:
            return .enqueue(headersFirst: false, wake())
        case .closing, .closed:
            return .rejectCallEnded
        }
    }

    /// The call ends with its final status (from the handler, a failure, or the deadline). Only the
    /// first status counts.
    package mutating func finish() -> FinishAction {
        switch response {
        case .idle:
            response = .closed
            return .sendTrailersOnly
        case .open:
            response = .closing
            return .sendTrailers(wake())
        case .closing, .closed:
            return .none
        }
    }

    /// HTTP/2 pulled response data; `queueIsEmpty` and `bytesCopied` say what the queue gave it.
    package mutating func readData(queueIsEmpty: Bool, bytesCopied: Int) -> ReadDataAction {
        if queueIsEmpty, response == .closing {
            response = .closed
            return .sendThenTrailers
        }
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
