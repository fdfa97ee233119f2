public import NIOCore

/// A message the RPC core can carry: it knows how to write itself to bytes and read itself back.
///
/// The core never looks inside a message; generated protobuf types conform through `ProtobufRuntime`,
/// whose `ProtobufMessage` already provides both requirements.
public protocol WireMessage: Sendable {
    /// Decodes a message from exactly the bytes of one gRPC message body.
    init(serializedBytes: ByteBuffer) throws

    /// Appends the encoded message to `buffer`.
    func serialize(into buffer: inout ByteBuffer) throws
}
