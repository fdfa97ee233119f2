package import CProtobufC

/// A NUL byte in read-only memory: every empty C string points here, so empty strings cost no allocation.
/// protobuf-c only reads lowered messages, never writes them.
private let emptyCString: StaticString = ""

/// Lowering of field values into protoc-c's representations; generated `lower(into:)` calls these.
extension CArena {
    /// A NUL-terminated copy of `value`.
    ///
    /// protobuf-c stores strings as `char *`, so a string containing U+0000 can't be represented: the C side
    /// would see (and send) only the part before it. Sending a different string than the caller built would be
    /// a silent data bug, so this traps instead; services must reject such text where it enters the process.
    package mutating func string(_ value: String) -> UnsafeMutablePointer<CChar> {
        let count = value.utf8.count
        if count == 0 {
            return UnsafeMutableRawPointer(mutating: emptyCString.utf8Start).assumingMemoryBound(to: CChar.self)
        }
        let copy = allocate(byteCount: count + 1, alignment: 1)
        var value = value
        value.withUTF8 { utf8 in
            precondition(!utf8.contains(0), "a protobuf string field contains U+0000, which protobuf-c cannot encode")
            copy.copyMemory(from: utf8.baseAddress!, byteCount: count)
        }
        copy.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
        return copy.assumingMemoryBound(to: CChar.self)
    }

    /// A copy of `value` as protobuf-c's length + pointer pair; empty needs no memory.
    package mutating func bytes(_ value: [UInt8]) -> ProtobufCBinaryData {
        guard !value.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let copy = allocate(UInt8.self, count: value.count)
        value.withUnsafeBufferPointer { copy.initialize(from: $0.baseAddress!, count: $0.count) }
        return ProtobufCBinaryData(len: value.count, data: copy)
    }

    /// Repeated numeric fields: Swift's and C's element types are the same (`Int32` is `int32_t`, ...).
    package mutating func scalars<Element: BitwiseCopyable>(_ values: [Element]) -> UnsafeMutablePointer<Element>? {
        guard !values.isEmpty else { return nil }
        let copy = allocate(Element.self, count: values.count)
        values.withUnsafeBufferPointer { copy.initialize(from: $0.baseAddress!, count: $0.count) }
        return copy
    }

    /// Repeated `bool`: `protobuf_c_boolean` is a C `int`.
    package mutating func bools(_ values: [Bool]) -> UnsafeMutablePointer<Int32>? {
        guard !values.isEmpty else { return nil }
        let copy = allocate(Int32.self, count: values.count)
        for (index, value) in values.enumerated() {
            (copy + index).initialize(to: value ? 1 : 0)
        }
        return copy
    }

    /// Repeated enum fields, as protoc-c's C enum type (imported as a struct with a raw value).
    package mutating func enums<Value: ProtobufEnum, CEnum: RawRepresentable>(
        _ values: [Value],
        as type: CEnum.Type
    ) -> UnsafeMutablePointer<CEnum>? where CEnum.RawValue: FixedWidthInteger {
        guard !values.isEmpty else { return nil }
        let copy = allocate(CEnum.self, count: values.count)
        for (index, value) in values.enumerated() {
            // Imported C enums accept every raw value: their init can't fail.
            (copy + index).initialize(to: CEnum(rawValue: .init(truncatingIfNeeded: value.rawValue))!)
        }
        return copy
    }

    /// Repeated `string`: an array of `char *`.
    package mutating func strings(_ values: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        guard !values.isEmpty else { return nil }
        let array = allocate(UnsafeMutablePointer<CChar>?.self, count: values.count)
        for (index, value) in values.enumerated() {
            (array + index).initialize(to: string(value))
        }
        return array
    }

    /// Repeated `bytes`: an array of `ProtobufCBinaryData`.
    package mutating func bytesArray(_ values: [[UInt8]]) -> UnsafeMutablePointer<ProtobufCBinaryData>? {
        guard !values.isEmpty else { return nil }
        let array = allocate(ProtobufCBinaryData.self, count: values.count)
        for (index, value) in values.enumerated() {
            (array + index).initialize(to: bytes(value))
        }
        return array
    }

    /// Repeated message fields: an array of pointers to lowered messages.
    package mutating func messages<Message: CProtobufMessage, CMessage>(
        _ values: [Message],
        as type: CMessage.Type
    ) -> UnsafeMutablePointer<UnsafeMutablePointer<CMessage>?>? {
        guard !values.isEmpty else { return nil }
        let array = allocate(UnsafeMutablePointer<CMessage>?.self, count: values.count)
        for (index, value) in values.enumerated() {
            (array + index).initialize(to: value.lower(into: &self, as: CMessage.self))
        }
        return array
    }
}
