public import NIOCore
public import RPCCore

/// A message that is its bytes: lets core and transport tests run without generated protobuf types.
public struct RawMessage: WireMessage, Equatable {
    public var bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }

    public init(serializedBytes: ByteBuffer) throws {
        bytes = Array(serializedBytes.readableBytesView)
    }

    public func serialize(into buffer: inout ByteBuffer) throws {
        buffer.writeBytes(bytes)
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}
