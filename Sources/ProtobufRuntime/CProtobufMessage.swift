package import CProtobufC

/// A message backed by a protoc-c struct: what generated code implements so that the default codec
/// (`CProtobufMessage+Codec.swift`) can pack and unpack it with libprotobuf-c.
package protocol CProtobufMessage: ProtobufMessage {
    /// protoc-c's `<message>__descriptor`, at its real address (protobuf-c compares descriptor pointers).
    static var cDescriptor: UnsafePointer<ProtobufCMessageDescriptor> { get }

    /// Builds this message's C struct, initialised by protoc-c's `<message>__init`, in memory owned by `arena`
    /// (sub-messages, strings, bytes and arrays too) and returns its address.
    func lower(into arena: inout CArena) -> UnsafeMutableRawPointer

    /// Copies a message out of the C struct at `message`, as `protobuf_c_message_unpack` made it; the C memory
    /// stays its caller's.
    init(lifting message: UnsafeRawPointer) throws(ProtobufDecodingError)
}

extension CProtobufMessage {
    /// `lower(into:)` typed as the C struct a parent's field points to.
    package func lower<CMessage>(into arena: inout CArena, as type: CMessage.Type) -> UnsafeMutablePointer<CMessage> {
        lower(into: &arena).assumingMemoryBound(to: CMessage.self)
    }
}

/// The address of a protoc-c message descriptor, read from a struct its `__init` function filled in.
///
/// Swift imports `extern const ProtobufCMessageDescriptor foo__descriptor` as a `let`, and taking the address of
/// a `let` may yield a temporary copy; the pointer `__init` stores is the C global itself.
package func cMessageDescriptor<CMessage>(
    _ type: CMessage.Type,
    _ initialize: (UnsafeMutablePointer<CMessage>?) -> Void
) -> UnsafePointer<ProtobufCMessageDescriptor> {
    withUnsafeTemporaryAllocation(of: CMessage.self, capacity: 1) { storage in
        initialize(storage.baseAddress)
        // Every protoc-c struct starts with a ProtobufCMessage whose first member is the descriptor.
        return UnsafeRawPointer(storage.baseAddress!).load(as: ProtobufCMessage.self).descriptor
    }
}
