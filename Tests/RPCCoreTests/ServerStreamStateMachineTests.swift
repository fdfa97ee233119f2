import RPCCore
import Testing

/// An event that brings a server stream's state machine to the state a test starts from.
enum ServerEvent: Sendable {
    case headersSent, messageSent, finished, requestEnded, requestFailed, streamClosed, deadlineExpired
    /// HTTP/2 asked for response data while the queue was empty.
    case dataDeferred

    func apply(to machine: inout ServerStreamStateMachine) {
        switch self {
        case .headersSent: _ = machine.sendHeaders()
        case .messageSent: _ = machine.sendMessage()
        case .finished: _ = machine.finish()
        case .requestEnded: _ = machine.receiveEndOfRequest()
        case .requestFailed: _ = machine.requestFailed()
        case .streamClosed: _ = machine.streamClosed()
        case .deadlineExpired: _ = machine.deadlineExpired()
        case .dataDeferred: _ = machine.readData(queueIsEmpty: true, bytesCopied: 0)
        }
    }
}

extension ServerStreamStateMachine {
    static func after(_ events: [ServerEvent]) -> Self {
        var machine = Self()
        for event in events { event.apply(to: &machine) }
        return machine
    }
}

@Suite("Server stream state machine")
struct ServerStreamStateMachineTests {
    @Test(
        "headers go out once, and never after the call has ended",
        arguments: [
            ([], true), ([.headersSent], false), ([.messageSent], false), ([.finished], false),
            ([.streamClosed], false), ([.requestFailed], false), ([.deadlineExpired], false),
        ] as [([ServerEvent], Bool)]
    )
    func headersOnce(history: [ServerEvent], submits: Bool) {
        var machine = ServerStreamStateMachine.after(history)
        #expect(machine.sendHeaders() == submits)
    }

    @Test(
        "a message goes after the headers, sending them first if needed, and only while the call runs",
        arguments: [
            ([], .enqueue(headersFirst: true, .flush)),
            ([.headersSent], .enqueue(headersFirst: false, .flush)),
            ([.messageSent], .enqueue(headersFirst: false, .flush)),
            ([.headersSent, .dataDeferred], .enqueue(headersFirst: false, .resumeData)),
            ([.finished], .rejectCallEnded),
            ([.headersSent, .finished], .rejectCallEnded),
            ([.streamClosed], .rejectCallEnded),
            ([.deadlineExpired], .rejectCallEnded),
        ] as [([ServerEvent], ServerStreamStateMachine.SendMessageAction)]
    )
    func messages(history: [ServerEvent], action: ServerStreamStateMachine.SendMessageAction) {
        var machine = ServerStreamStateMachine.after(history)
        #expect(machine.sendMessage() == action)
    }

    @Test(
        "the status is Trailers-Only before any headers, trailers after them, and sent once",
        arguments: [
            ([], .sendTrailersOnly),
            ([.headersSent], .sendTrailers(.flush)),
            ([.messageSent, .dataDeferred], .sendTrailers(.resumeData)),
            ([.finished], .none),
            ([.headersSent, .finished], .none),
            ([.streamClosed], .none),
            ([.headersSent, .streamClosed], .none),
        ] as [([ServerEvent], ServerStreamStateMachine.FinishAction)]
    )
    func finish(history: [ServerEvent], action: ServerStreamStateMachine.FinishAction) {
        var machine = ServerStreamStateMachine.after(history)
        #expect(machine.finish() == action)
        #expect(machine.hasFinished)
    }

    @Test(
        "trailers follow the last queued message, and data waits while the call runs with nothing queued",
        arguments: [
            ([.messageSent], false, 100, .send),
            ([.messageSent], true, 100, .send),
            ([.headersSent], true, 0, .deferData),
            ([.messageSent, .finished], false, 100, .send),
            ([.messageSent, .finished], true, 20, .sendThenTrailers),
            ([.headersSent, .finished], true, 0, .sendThenTrailers),
        ] as [([ServerEvent], Bool, Int, ServerStreamStateMachine.ReadDataAction)]
    )
    func readData(
        history: [ServerEvent],
        queueIsEmpty: Bool,
        bytesCopied: Int,
        action: ServerStreamStateMachine.ReadDataAction
    ) {
        var machine = ServerStreamStateMachine.after(history)
        #expect(machine.readData(queueIsEmpty: queueIsEmpty, bytesCopied: bytesCopied) == action)
    }

    @Test("trailers go out once: after them the response is closed and data is never read again")
    func trailersOnce() {
        var machine = ServerStreamStateMachine.after([.messageSent, .finished])
        #expect(machine.readData(queueIsEmpty: true, bytesCopied: 5) == .sendThenTrailers)
        #expect(machine.response == .closed)
        #expect(machine.finish() == .none)
        #expect(machine.sendMessage() == .rejectCallEnded)
    }

    @Test(
        "request data is delivered until the request fails or the call ends",
        arguments: [
            ([], .deliver), ([.headersSent], .deliver), ([.messageSent], .deliver),
            ([.requestFailed], .discard), ([.finished], .discard), ([.headersSent, .finished], .discard),
            ([.deadlineExpired], .discard), ([.streamClosed], .discard),
        ] as [([ServerEvent], ServerStreamStateMachine.ReceiveAction)]
    )
    func receive(history: [ServerEvent], action: ServerStreamStateMachine.ReceiveAction) {
        #expect(ServerStreamStateMachine.after(history).receive() == action)
    }

    @Test(
        "the end of the request is checked for a partial message once, and not after the request failed",
        arguments: [
            ([], true), ([.headersSent], true), ([.requestEnded], false), ([.requestFailed], false),
        ] as [([ServerEvent], Bool)]
    )
    func endOfRequest(history: [ServerEvent], checks: Bool) {
        var machine = ServerStreamStateMachine.after(history)
        #expect(machine.receiveEndOfRequest() == checks)
    }

    @Test(
        "a malformed or oversized request message ends the call with its error, in the shape the response is in",
        arguments: [
            ([], .sendTrailersOnly),
            ([.headersSent], .sendTrailers(.flush)),
            ([.messageSent, .dataDeferred], .sendTrailers(.resumeData)),
            ([.headersSent, .finished], .none),
            ([.streamClosed], .none),
        ] as [([ServerEvent], ServerStreamStateMachine.FinishAction)]
    )
    func requestFailure(history: [ServerEvent], action: ServerStreamStateMachine.FinishAction) {
        var machine = ServerStreamStateMachine.after(history)
        #expect(machine.requestFailed() == action)
        #expect(machine.request == .failed)
        #expect(machine.receive() == .discard)
    }

    @Test(
        "an expired deadline ends a running call, in the shape the response is in",
        arguments: [
            ([], .sendTrailersOnly),
            ([.headersSent], .sendTrailers(.flush)),
            ([.requestEnded, .messageSent], .sendTrailers(.flush)),
            ([.finished], .none),
            ([.streamClosed], .none),
        ] as [([ServerEvent], ServerStreamStateMachine.FinishAction)]
    )
    func deadline(history: [ServerEvent], action: ServerStreamStateMachine.FinishAction) {
        var machine = ServerStreamStateMachine.after(history)
        #expect(machine.deadlineExpired() == action)
    }

    @Test(
        "a reset cancels a call that is still running, not one that has its status",
        arguments: [
            ([], true), ([.headersSent], true), ([.requestEnded, .messageSent], true),
            ([.finished], false), ([.headersSent, .finished], false), ([.deadlineExpired], false),
            ([.requestFailed], false),
        ] as [([ServerEvent], Bool)]
    )
    func reset(history: [ServerEvent], cancelsHandler: Bool) {
        var machine = ServerStreamStateMachine.after(history)
        #expect(machine.streamClosed() == cancelsHandler)
        #expect(machine.isStreamClosed)
        #expect(machine.hasFinished)
    }

    @Test(
        "a streaming-request handler starts at once, the others once the request has ended; none after the call ended",
        arguments: [
            (true, [], true), (false, [], false), (false, [.requestEnded], true), (true, [.requestEnded], true),
            (false, [.requestFailed], false), (true, [.streamClosed], false), (false, [.deadlineExpired], false),
            (false, [.requestEnded, .finished], false),
        ] as [(Bool, [ServerEvent], Bool)]
    )
    func start(clientStreams: Bool, history: [ServerEvent], starts: Bool) {
        #expect(ServerStreamStateMachine.after(history).isReadyToStart(clientStreams: clientStreams) == starts)
    }
}
