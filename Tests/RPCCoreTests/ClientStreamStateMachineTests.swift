import RPCCore
import Testing

/// An event that brings a client stream's state machine to the state a test starts from.
enum ClientEvent: Sendable {
    case headersReceived, trailersReceived, trailersOnlyReceived, failed, streamClosed, requestClosed
    /// HTTP/2 asked for request data while the queue was empty.
    case dataDeferred

    func apply(to machine: inout ClientStreamStateMachine) {
        switch self {
        case .headersReceived, .trailersReceived: _ = machine.receiveHeaderBlock(endStream: false, isHTTPError: false)
        case .trailersOnlyReceived: _ = machine.receiveHeaderBlock(endStream: true, isHTTPError: false)
        case .failed: _ = machine.fail()
        case .streamClosed: _ = machine.streamClosed()
        case .requestClosed: _ = machine.closeRequest()
        case .dataDeferred: _ = machine.readData(queueIsEmpty: true, bytesCopied: 0)
        }
    }
}

extension ClientStreamStateMachine {
    static func after(_ events: [ClientEvent]) -> Self {
        var machine = Self()
        for event in events { event.apply(to: &machine) }
        return machine
    }
}

@Suite("Client stream state machine")
struct ClientStreamStateMachineTests {
    @Test(
        "the first header block is the headers, or a Trailers-Only status, or an HTTP error; the second the trailers",
        arguments: [
            ([], false, false, .deliverHeaders),
            ([], true, false, .finishTrailersOnly),
            ([], false, true, .finishAndReset),
            ([], true, true, .finishAndReset),
            ([.headersReceived], true, false, .finishWithTrailers),
            ([.headersReceived, .requestClosed], true, false, .finishWithTrailers),
        ] as [([ClientEvent], Bool, Bool, ClientStreamStateMachine.HeaderBlockAction)]
    )
    func headerBlocks(
        history: [ClientEvent],
        endStream: Bool,
        isHTTPError: Bool,
        action: ClientStreamStateMachine.HeaderBlockAction
    ) {
        var machine = ClientStreamStateMachine.after(history)
        #expect(machine.receiveHeaderBlock(endStream: endStream, isHTTPError: isHTTPError) == action)
        #expect(machine.hasFinished == (action != .deliverHeaders))
    }

    @Test(
        "a header block after the call ended is ignored",
        arguments: [
            [.failed], [.headersReceived, .trailersReceived], [.trailersOnlyReceived], [.streamClosed],
        ] as [[ClientEvent]]
    )
    func headerBlockAfterTheEnd(history: [ClientEvent]) {
        var machine = ClientStreamStateMachine.after(history)
        #expect(machine.receiveHeaderBlock(endStream: true, isHTTPError: false) == .ignore)
    }

    @Test(
        "response data is deframed until the call has its status",
        arguments: [
            ([.headersReceived], true), ([.headersReceived, .requestClosed], true),
            ([.headersReceived, .trailersReceived], false), ([.headersReceived, .failed], false),
            ([.failed], false), ([.streamClosed], false),
        ] as [([ClientEvent], Bool)]
    )
    func data(history: [ClientEvent], deframes: Bool) {
        #expect(ClientStreamStateMachine.after(history).receiveData() == deframes)
    }

    @Test(
        "cancellation, the deadline or a bad response end a running call and reset its stream; later ones do nothing",
        arguments: [
            ([], true), ([.headersReceived], true), ([.requestClosed], true),
            ([.failed], false), ([.headersReceived, .trailersReceived], false), ([.trailersOnlyReceived], false),
            ([.streamClosed], false),
        ] as [([ClientEvent], Bool)]
    )
    func localFailure(history: [ClientEvent], endsAndResets: Bool) {
        var machine = ClientStreamStateMachine.after(history)
        #expect(machine.fail() == endsAndResets)
        #expect(machine.hasFinished)
    }

    @Test(
        "a stream that closes before the trailers ends the call with a status from its reset code",
        arguments: [
            ([], true), ([.headersReceived], true), ([.requestClosed], true),
            ([.headersReceived, .trailersReceived], false), ([.failed], false), ([.trailersOnlyReceived], false),
        ] as [([ClientEvent], Bool)]
    )
    func reset(history: [ClientEvent], ends: Bool) {
        var machine = ClientStreamStateMachine.after(history)
        #expect(machine.streamClosed() == ends)
        #expect(machine.isStreamClosed)
    }

    @Test(
        "a request message is queued while the call runs and the request is open",
        arguments: [
            ([], .enqueue(.flush)),
            ([.headersReceived], .enqueue(.flush)),
            ([.dataDeferred], .enqueue(.resumeData)),
            ([.requestClosed], .rejectRequestClosed),
            ([.failed], .rejectCallEnded),
            ([.headersReceived, .trailersReceived], .rejectCallEnded),
            ([.streamClosed], .rejectCallEnded),
        ] as [([ClientEvent], ClientStreamStateMachine.SendMessageAction)]
    )
    func messages(history: [ClientEvent], action: ClientStreamStateMachine.SendMessageAction) {
        var machine = ClientStreamStateMachine.after(history)
        #expect(machine.sendMessage() == action)
    }

    @Test(
        "closing the request wakes the data source once, and not after the call ended",
        arguments: [
            ([], .flush), ([.dataDeferred], .resumeData), ([.requestClosed], nil), ([.failed], nil),
            ([.trailersOnlyReceived], nil),
        ] as [([ClientEvent], ClientStreamStateMachine.DataWake?)]
    )
    func closeRequest(history: [ClientEvent], wake: ClientStreamStateMachine.DataWake?) {
        var machine = ClientStreamStateMachine.after(history)
        #expect(machine.closeRequest() == wake)
        #expect(machine.request == .closed)
    }

    @Test(
        "END_STREAM goes with the last queued bytes once the request is closed; an open one waits for more",
        arguments: [
            ([], false, 16, .send),
            ([], true, 16, .send),
            ([], true, 0, .deferData),
            ([.requestClosed], false, 16, .send),
            ([.requestClosed], true, 7, .sendAndEndStream),
            ([.requestClosed], true, 0, .sendAndEndStream),
        ] as [([ClientEvent], Bool, Int, ClientStreamStateMachine.ReadDataAction)]
    )
    func readData(
        history: [ClientEvent],
        queueIsEmpty: Bool,
        bytesCopied: Int,
        action: ClientStreamStateMachine.ReadDataAction
    ) {
        var machine = ClientStreamStateMachine.after(history)
        #expect(machine.readData(queueIsEmpty: queueIsEmpty, bytesCopied: bytesCopied) == action)
    }
}
