public import NIOCore

/// A protobuf message with value semantics, as generated from a `.proto` file.
///
/// Its members also satisfy `RPCCore.WireMessage` by name, so generated types conform to that with an empty
/// extension and the RPC core carries them without knowing about protobuf.
public protocol ProtobufMessage: Sendable, Hashable {
    /// A message with every field at its proto3 default.
    init()

    /// The fully-qualified proto name, e.g. `"helloworld.HelloRequest"`.
    static var protoMessageName: String { get }

    /// Decodes the message from exactly the readable bytes of `serializedBytes`.
    init(serializedBytes: ByteBuffer) throws(ProtobufDecodingError)

    /// Decodes the message from exactly `serializedBytes`.
    init(serializedBytes: [UInt8]) throws(ProtobufDecodingError)

    /// Appends the wire encoding to `buffer`.
    ///
    /// - Precondition: no `String` field, nested ones included, contains U+0000: protobuf-c keeps strings as
    ///   NUL-terminated `char *`, so such a string can't be encoded without truncation, and encoding traps
    ///   rather than send a different string. Validate text from outside the process before it gets here.
    func serialize(into buffer: inout ByteBuffer)

    /// The wire encoding as a new array.
    func serializedBytes() -> [UInt8]

    /// The length of the wire encoding in bytes.
    var serializedSize: Int { get }
}

extension ProtobufMessage {
    /// Returns a copy changed by `configure`, for building messages in one expression:
    /// `Helloworld_HelloRequest.with { $0.name = "Ada" }`.
    public static func with(_ configure: (inout Self) throws -> Void) rethrows -> Self {
        var message = Self()
        try configure(&message)
        return message
    }

    /// Returns a copy of this message changed by `configure`.
    public func with(_ configure: (inout Self) throws -> Void) rethrows -> Self {
        var message = self
        try configure(&message)
        return message
    }
}
