public import NIOCore

/// A message carried as its bytes and never decoded: what a proxy forwards from one call to another.
///
/// `compressed` says whether the message arrived compressed on its hop. Sending it again compresses it
/// with the outgoing call's encoding when that is set, so a client that compresses still gets compression
/// on every hop, while the bytes themselves are only ever (de)compressed, never parsed.
public struct PassthroughMessage: WireMessage, Hashable {
    public var bytes: ByteBuffer
    public var compressed: Bool

    public init(bytes: ByteBuffer, compressed: Bool = false) {
        self.bytes = bytes
        self.compressed = compressed
    }

    public init(serializedBytes: ByteBuffer) {
        self.init(bytes: serializedBytes)
    }

    public func serialize(into buffer: inout ByteBuffer) {
        buffer.writeImmutableBuffer(bytes)
    }
}
