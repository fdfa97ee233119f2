import NIOCore

/// A frame nghttp2 has finished receiving, reduced to what the RPC layer looks at.
struct ReceivedFrame {
    enum Kind {
        case headers
        case data
        case goAway(lastStreamID: Int32, errorCode: UInt32)
        case pingAck(opaqueData: UInt64)
        case other
    }

    var kind: Kind
    var streamID: Int32
    var endStream: Bool
}

/// Receives what nghttp2 parses, from inside its callbacks. Implementations record the event and
/// return; they never drive the session from here (nghttp2 forbids `mem_recv`/`mem_send` inside
/// callbacks), except that `readData` may submit trailers, which nghttp2 allows.
protocol NGHTTP2SessionDelegate: AnyObject {
    /// A HEADERS frame starts on `streamID`; `isRequest` when it opens a new stream from the peer.
    /// Returning false refuses that stream (RST_STREAM(REFUSED_STREAM)); its header block is skipped.
    func sessionBeginHeaders(streamID: Int32, isRequest: Bool) -> Bool
    /// One header field; returning false resets the stream (e.g. the header list is too large).
    func sessionHeader(streamID: Int32, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool
    func sessionFrameReceived(_ frame: ReceivedFrame)
    /// Payload of a DATA frame; `bytes` is a slice of the received buffer when possible (no copy).
    func sessionData(streamID: Int32, bytes: ByteBuffer)
    func sessionStreamClosed(streamID: Int32, errorCode: UInt32)
    /// A frame carrying END_STREAM went out on a stream whose peer had not ended its side yet.
    func sessionEndedStreamBeforePeer(streamID: Int32)
    /// nghttp2 wants DATA for `streamID`: copy at most `buffer.count` bytes and say whether the body goes on.
    func sessionReadData(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer) -> DataSourceResult
}

/// What a stream gives nghttp2 when it pulls DATA, so nghttp2's data flags stay in this folder.
enum DataSourceResult: Equatable {
    /// This many bytes were copied; more may follow.
    case bytes(Int)
    /// The body's last bytes; END_STREAM goes with them.
    case endOfStream(Int)
    /// The body's last bytes, without END_STREAM: trailers submitted from the same callback end the stream.
    case endOfDataBeforeTrailers(Int)
    /// Nothing to send now; the stream resumes the data once there is (`resumeData`).
    case deferred
}
