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
    /// A HEADERS frame starts on `streamID`.
    func sessionBeginHeaders(streamID: Int32)
    /// One header field; returning false resets the stream (e.g. the header list is too large).
    func sessionHeader(streamID: Int32, name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) -> Bool
    func sessionFrameReceived(_ frame: ReceivedFrame)
    /// Payload of a DATA frame; `bytes` is a slice of the received buffer when possible (no copy).
    func sessionData(streamID: Int32, bytes: ByteBuffer)
    func sessionStreamClosed(streamID: Int32, errorCode: UInt32)
    /// A frame carrying END_STREAM went out on a stream whose peer had not ended its side yet.
    func sessionEndedStreamBeforePeer(streamID: Int32)
    /// nghttp2 wants DATA for `streamID`: copy at most `buffer.count` bytes, set EOF flags when done.
    /// Returns the byte count, or nil to defer until more data is queued.
    func sessionReadData(streamID: Int32, into buffer: UnsafeMutableRawBufferPointer, flags: inout UInt32) -> Int?
}
