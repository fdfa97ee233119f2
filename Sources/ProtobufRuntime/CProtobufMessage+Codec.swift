internal import CProtobufC
package import NIOCore

/// Serialization and decoding of C-backed messages with libprotobuf-c; generated `ProtobufMessage` members
/// forward here.
extension CProtobufMessage {
    package var cSerializedSize: Int {
        CArena.withArena { arena in
            protobuf_c_message_get_packed_size(lowerMessage(into: &arena))
        }
    }

    /// Packs straight into `buffer`'s storage: no intermediate copy.
    package func cSerialize(into buffer: inout ByteBuffer) {
        CArena.withArena { arena in
            let message = lowerMessage(into: &arena)
            let size = protobuf_c_message_get_packed_size(message)
            guard size > 0 else { return }
            // Exactly the room needed: growing on demand would round a 1 KiB message up to a 2 KiB buffer.
            buffer.reserveCapacity(minimumWritableBytes: size)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { output in
                Self.pack(message, into: output, expectedSize: size)
            }
        }
    }

    package func cSerializedBytes() -> [UInt8] {
        CArena.withArena { arena in
            let message = lowerMessage(into: &arena)
            let size = protobuf_c_message_get_packed_size(message)
            return [UInt8](unsafeUninitializedCapacity: size) { output, initializedCount in
                initializedCount =
                    size == 0 ? 0 : Self.pack(message, into: UnsafeMutableRawBufferPointer(output), expectedSize: size)
            }
        }
    }

    package static func cDecode(_ buffer: ByteBuffer) throws(ProtobufDecodingError) -> Self {
        // `withUnsafeReadableBytes` is `rethrows`, which loses the typed error: carry it out in a Result.
        let result = buffer.withUnsafeReadableBytes { bytes in
            Result { () throws(ProtobufDecodingError) -> Self in try cDecode(bytes) }
        }
        return try result.get()
    }

    package static func cDecode(_ bytes: [UInt8]) throws(ProtobufDecodingError) -> Self {
        let result = bytes.withUnsafeBytes { bytes in
            Result { () throws(ProtobufDecodingError) -> Self in try cDecode(bytes) }
        }
        return try result.get()
    }

    /// Unpacks with protobuf-c, copies into Swift, and frees the C message on every path.
    package static func cDecode(_ bytes: UnsafeRawBufferPointer) throws(ProtobufDecodingError) -> Self {
        let data = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        guard let message = protobuf_c_message_unpack(cDescriptor, nil, bytes.count, data) else {
            throw ProtobufDecodingError(reason: .malformedWireData, messageName: protoMessageName)
        }
        defer { protobuf_c_message_free_unpacked(message, nil) }
        do {
            return try Self(lifting: UnsafeRawPointer(message))
        } catch {
            // Lifting code doesn't know which message it is in; the top-level name is the useful one.
            throw ProtobufDecodingError(reason: error.reason, messageName: protoMessageName)
        }
    }

    private func lowerMessage(into arena: inout CArena) -> UnsafePointer<ProtobufCMessage> {
        UnsafePointer(lower(into: &arena, as: ProtobufCMessage.self))
    }

    /// Packs into `output`, which has room for at least `expectedSize` bytes; returns the bytes written.
    private static func pack(
        _ message: UnsafePointer<ProtobufCMessage>,
        into output: UnsafeMutableRawBufferPointer,
        expectedSize: Int
    ) -> Int {
        let written = protobuf_c_message_pack(message, output.baseAddress!.assumingMemoryBound(to: UInt8.self))
        // get_packed_size and pack walk the same struct; a mismatch would mean memory corruption.
        precondition(
            written == expectedSize,
            "protobuf_c_message_pack wrote \(written) bytes, expected \(expectedSize)"
        )
        return written
    }
}
