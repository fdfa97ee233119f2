/// The well-known types' own JSON forms (the proto3 JSON mapping's table), binary to JSON.
extension BinaryToJSON {
    mutating func writeWellKnown(
        _ kind: WellKnownType,
        _ message: MessageDescriptor,
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>
    ) throws {
        switch kind {
        case .timestamp:
            let (seconds, nanos) = try readSecondsAndNanos(message, bytes, range)
            guard let text = TimeFormats.formatTimestamp(seconds: seconds, nanos: nanos) else {
                throw ProtoJSONError(.invalidValue, "Timestamp out of range (seconds \(seconds), nanos \(nanos))")
            }
            out.append(UInt8(ascii: "\""))
            out.bytes.append(contentsOf: text)
            out.append(UInt8(ascii: "\""))
        case .duration:
            let (seconds, nanos) = try readSecondsAndNanos(message, bytes, range)
            guard let text = TimeFormats.formatDuration(seconds: seconds, nanos: nanos) else {
                throw ProtoJSONError(.invalidValue, "Duration out of range (seconds \(seconds), nanos \(nanos))")
            }
            out.append(UInt8(ascii: "\""))
            out.bytes.append(contentsOf: text)
            out.append(UInt8(ascii: "\""))
        case .fieldMask: try writeFieldMask(message, bytes, range)
        case .empty: out.append("{}")
        case .structValue:
            let all = try collectEntries(message, bytes, range)
            defer { entries.removeSubrange(all) }
            let fields = group(of: 0, in: all)
            if fields.isEmpty { out.append("{}") } else { try writeMap(message.fields[0], fields, bytes) }
        case .listValue:
            let all = try collectEntries(message, bytes, range)
            defer { entries.removeSubrange(all) }
            let values = group(of: 0, in: all)
            if values.isEmpty { out.append("[]") } else { try writeValue(of: message.fields[0], values, bytes) }
        case .value: try writeStructValue(message, bytes, range)
        case .any: try writeAny(message, bytes, range)
        default:  // wrappers: the bare value, the default when unset
            let all = try collectEntries(message, bytes, range)
            defer { entries.removeSubrange(all) }
            guard let valueIndex = message.fieldIndex(number: 1) else {
                throw ProtoJSONError(.unknownType, "\(message.fullName) has no value field")
            }
            let value = group(of: valueIndex, in: all)
            if value.isEmpty {
                try writeDefault(message.fields[valueIndex])
            } else {
                try writeSingle(message.fields[valueIndex], entries[value.upperBound - 1], bytes)
            }
        }
    }

    /// Timestamp and Duration: `seconds` (1, int64) and `nanos` (2, int32), the last of each.
    func readSecondsAndNanos(
        _ message: MessageDescriptor,
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>
    ) throws -> (Int64, Int32) {
        var seconds: Int64 = 0
        var nanos: Int32 = 0
        var reader = WireReader(bytes, range: range)
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            switch (number, wireType) {
            case (1, .varint): seconds = Int64(bitPattern: try reader.readVarint())
            case (2, .varint): nanos = Int32(truncatingIfNeeded: try reader.readVarint())
            default: try reader.skip(wireType, number: number)
            }
        }
        return (seconds, nanos)
    }

    /// Paths in lowerCamelCase, comma-joined; a path that would not read back the same is an error, as in
    /// json_format.
    mutating func writeFieldMask(
        _ message: MessageDescriptor,
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>
    ) throws {
        var mask: [UInt8] = []
        var first = true
        var reader = WireReader(bytes, range: range)
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            guard number == 1, wireType == .lengthDelimited else {
                try reader.skip(wireType, number: number)
                continue
            }
            let path = try reader.readLengthDelimited()
            if !first { mask.append(UInt8(ascii: ",")) }
            first = false
            var afterUnderscore = false
            for index in path {
                let byte = bytes[index]
                if byte == UInt8(ascii: "_") {
                    guard !afterUnderscore else {
                        throw ProtoJSONError(.invalidValue, "FieldMask path has consecutive underscores")
                    }
                    afterUnderscore = true
                } else if afterUnderscore {
                    guard byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") else {
                        throw ProtoJSONError(
                            .invalidValue,
                            "FieldMask path has an underscore not followed by a lowercase letter"
                        )
                    }
                    mask.append(byte - 32)
                    afterUnderscore = false
                } else {
                    guard !(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) else {
                        throw ProtoJSONError(.invalidValue, "FieldMask path must not contain uppercase letters")
                    }
                    mask.append(byte)
                }
            }
            guard !afterUnderscore else {
                throw ProtoJSONError(.invalidValue, "FieldMask path ends with an underscore")
            }
        }
        mask.withUnsafeBufferPointer { out.appendString($0, range: 0..<$0.count) }
    }

    /// google.protobuf.Value: the JSON value its `kind` holds; unset is `null`, as json_format writes it.
    mutating func writeStructValue(
        _ message: MessageDescriptor,
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>
    ) throws {
        let all = try collectEntries(message, bytes, range)
        defer { entries.removeSubrange(all) }
        // The oneof's last member on the wire is the one set.
        var last: FieldEntry?
        var lastPosition = -1
        for position in all where Int(entries[position].start) > lastPosition {
            last = entries[position]
            lastPosition = Int(entries[position].start)
        }
        guard let last else {
            out.append("null")
            return
        }
        let field = message.fields[Int(last.field)]
        switch field.number {
        case 1: out.append("null")
        case 2:
            var reader = WireReader(bytes, range: Int(last.start)..<Int(last.end))
            let number = Double(bitPattern: try reader.readFixed64())
            guard number.isFinite else {
                throw ProtoJSONError(
                    .invalidValue,
                    "Value.number_value \(number) has no JSON form (it would read back as a string)"
                )
            }
            out.appendDouble(number)
        default: try writeSingle(field, last, bytes)
        }
    }

    /// `{"@type": url, ...fields}`, or `{"@type": url, "value": json}` for a well-known type.
    mutating func writeAny(
        _ message: MessageDescriptor,
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>
    ) throws {
        var typeURL: Range<Int>?
        var value: Range<Int> = 0..<0
        var reader = WireReader(bytes, range: range)
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            switch (number, wireType) {
            case (1, .lengthDelimited): typeURL = try reader.readLengthDelimited()
            case (2, .lengthDelimited): value = try reader.readLengthDelimited()
            default: try reader.skip(wireType, number: number)
            }
        }
        guard let typeURL, !typeURL.isEmpty else {
            guard value.isEmpty else { throw ProtoJSONError(.invalidValue, "Any has a value but no type_url") }
            out.append("{}")
            return
        }
        let url = String(decoding: UnsafeBufferPointer(rebasing: bytes[typeURL]), as: UTF8.self)
        let typeName = url.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? url
        guard let index = pool.messageIndex(named: typeName) else {
            throw ProtoJSONError(.unknownType, "Any type \(url) is not in the descriptor pool")
        }
        out.append("{\"@type\":")
        out.appendString(url)
        let inner = pool.messages[index]
        if inner.wellKnownType?.hasOwnJSONForm == true {
            out.append(",\"value\":")
            try inPath(.field("value")) { try writeMessage(index, bytes, value) }
        } else {
            var needsComma = true
            depth += 1
            defer { depth -= 1 }
            try writeFields(inner, bytes, value, needsComma: &needsComma)
        }
        out.append(UInt8(ascii: "}"))
    }
}
