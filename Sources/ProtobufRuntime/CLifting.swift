package import CProtobufC

/// Copies field values out of the C structs `protobuf_c_message_unpack` made; generated `init(lifting:)` calls
/// these. Nothing here keeps a pointer: the C message is freed right after lifting.
package enum CLifting {
    /// A `string` field; proto3 requires UTF-8, so anything else is a decoding error.
    ///
    /// protobuf-c hands over `char *`, so a string with an embedded U+0000 arrives cut at that byte; it can't be
    /// told apart from a shorter string.
    package static func string(_ value: UnsafeMutablePointer<CChar>?) throws(ProtobufDecodingError) -> String {
        guard let value else { return "" }
        guard let string = String(validatingCString: value) else {
            throw ProtobufDecodingError(reason: .invalidUTF8, messageName: "")
        }
        return string
    }

    package static func bytes(_ value: ProtobufCBinaryData) -> [UInt8] {
        guard value.len > 0, let data = value.data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: value.len))
    }

    /// A sub-message; NULL (not set) is `nil`.
    package static func message<Message: CProtobufMessage, CMessage>(
        _ value: UnsafeMutablePointer<CMessage>?
    ) throws(ProtobufDecodingError) -> Message? {
        guard let value else { return nil }
        return try Message(lifting: UnsafeRawPointer(value))
    }

    package static func scalars<Element: BitwiseCopyable>(
        count: Int,
        _ values: UnsafeMutablePointer<Element>?
    ) -> [Element] {
        guard count > 0, let values else { return [] }
        return Array(UnsafeBufferPointer(start: values, count: count))
    }

    package static func bools(count: Int, _ values: UnsafeMutablePointer<Int32>?) -> [Bool] {
        guard count > 0, let values else { return [] }
        return UnsafeBufferPointer(start: values, count: count).map { $0 != 0 }
    }

    package static func enums<Value: ProtobufEnum, CEnum: RawRepresentable>(
        count: Int,
        _ values: UnsafeMutablePointer<CEnum>?
    ) -> [Value] where CEnum.RawValue: FixedWidthInteger {
        guard count > 0, let values else { return [] }
        return UnsafeBufferPointer(start: values, count: count).map {
            Value(rawValue: Int32(truncatingIfNeeded: $0.rawValue))!
        }
    }

    package static func strings(
        count: Int,
        _ values: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    ) throws(ProtobufDecodingError) -> [String] {
        guard count > 0, let values else { return [] }
        var strings: [String] = []
        strings.reserveCapacity(count)
        for index in 0..<count {
            strings.append(try string(values[index]))
        }
        return strings
    }

    package static func bytesArray(count: Int, _ values: UnsafeMutablePointer<ProtobufCBinaryData>?) -> [[UInt8]] {
        guard count > 0, let values else { return [] }
        return UnsafeBufferPointer(start: values, count: count).map(bytes)
    }

    /// Repeated sub-messages; protobuf-c never leaves a NULL element, but one would lift as the default.
    package static func messages<Message: CProtobufMessage, CMessage>(
        count: Int,
        _ values: UnsafeMutablePointer<UnsafeMutablePointer<CMessage>?>?
    ) throws(ProtobufDecodingError) -> [Message] {
        guard count > 0, let values else { return [] }
        var messages: [Message] = []
        messages.reserveCapacity(count)
        for index in 0..<count {
            messages.append(try message(values[index]) ?? Message())
        }
        return messages
    }
}
