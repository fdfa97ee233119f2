/// How `ProtoJSONEncoder` writes JSON. The defaults are json_format's (`MessageToJson` with default arguments,
/// compact).
public struct ProtoJSONEncodingOptions: Sendable {
    /// Also write fields without presence at their default value: `0`, `""`, `false`, `[]`, `{}`, the first
    /// enum value (json_format's `always_print_fields_with_no_presence`). Message fields, oneof members and
    /// proto3 `optional` fields are still written only when set.
    public var emitDefaultValues: Bool
    /// Keys are the proto field names (`series_code`) instead of their `json_name` (`seriesCode`)
    /// (json_format's `preserving_proto_field_name`).
    public var useProtoFieldNames: Bool
    /// Deepest message nesting accepted in the binary.
    public var maxDepth: Int

    public init(emitDefaultValues: Bool = false, useProtoFieldNames: Bool = false, maxDepth: Int = 100) {
        self.emitDefaultValues = emitDefaultValues
        self.useProtoFieldNames = useProtoFieldNames
        self.maxDepth = maxDepth
    }
}

/// Protobuf binary to proto3 JSON, driven by the pool's descriptors: what json_format's `MessageToJson` writes,
/// compact, fields in field-number order. Unknown fields of the binary are dropped, as json_format drops them.
public struct ProtoJSONEncoder: Sendable {
    public let pool: DescriptorPool
    public var options: ProtoJSONEncodingOptions

    public init(pool: DescriptorPool, options: ProtoJSONEncodingOptions = .init()) {
        self.pool = pool
        self.options = options
    }

    /// The JSON of one serialized message of type `messageType` (fully-qualified, e.g.
    /// `isid.indicators.v1.GetLatestValuesResponse`), as UTF-8.
    public func encode(_ binary: [UInt8], messageType: String) throws -> [UInt8] {
        guard let index = pool.messageIndex(named: messageType) else {
            throw ProtoJSONError(.unknownType, "unknown message type \(messageType)")
        }
        return try binary.withUnsafeBufferPointer { bytes in
            var writer = BinaryToJSON(pool: pool, options: options)
            writer.out.bytes.reserveCapacity(binary.count * 2 + 16)
            try writer.writeMessage(index, bytes, 0..<bytes.count)
            return writer.out.bytes
        }
    }

    /// The JSON of one top-level field of a serialized message (an HTTP rule's `response_body`): its value as
    /// it would appear in the message's JSON, or the field's default when it is not set.
    public func encodeField(_ binary: [UInt8], messageType: String, field fieldName: String) throws -> [UInt8] {
        guard let index = pool.messageIndex(named: messageType) else {
            throw ProtoJSONError(.unknownType, "unknown message type \(messageType)")
        }
        let message = pool.messages[index]
        guard let fieldIndex = message.fieldIndexByKey[fieldName] else {
            throw ProtoJSONError(.unknownField, "\(messageType) has no field \(fieldName)")
        }
        return try binary.withUnsafeBufferPointer { bytes in
            var writer = BinaryToJSON(pool: pool, options: options)
            let entries = try writer.collectEntries(message, bytes, 0..<bytes.count)
            let group = writer.group(of: fieldIndex, in: entries)
            if group.isEmpty {
                try writer.writeDefault(message.fields[fieldIndex])
            } else {
                try writer.writeValue(of: message.fields[fieldIndex], group, bytes)
            }
            return writer.out.bytes
        }
    }
}

/// One occurrence of a known field in a message's bytes.
struct FieldEntry {
    /// Index in the message descriptor's `fields`.
    var field: Int32
    var wireType: WireType
    /// The value's bytes (the payload of a length-delimited one).
    var start: Int32
    var end: Int32
}

/// The state of one encoding: the output and a scratch list of field occurrences that every nesting level
/// shares (each level appends its own after its parent's and removes them when done), so a message costs no
/// allocation of its own.
struct BinaryToJSON {
    let pool: DescriptorPool
    let options: ProtoJSONEncodingOptions
    var out = JSONOutput()
    var entries: [FieldEntry] = []
    var depth = 0

    init(pool: DescriptorPool, options: ProtoJSONEncodingOptions) {
        self.pool = pool
        self.options = options
        entries.reserveCapacity(64)
    }

    mutating func writeMessage(_ messageIndex: Int, _ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) throws {
        depth += 1
        defer { depth -= 1 }
        guard depth <= options.maxDepth else {
            throw ProtoJSONError(.malformedBinary, "messages nested deeper than \(options.maxDepth)")
        }
        let message = pool.messages[messageIndex]
        if let wellKnown = message.wellKnownType {
            try writeWellKnown(wellKnown, message, bytes, range)
            return
        }
        out.append(UInt8(ascii: "{"))
        var needsComma = false
        try writeFields(message, bytes, range, needsComma: &needsComma)
        out.append(UInt8(ascii: "}"))
    }

    /// Records every occurrence of a known field, sorted by field (stable), and returns where they are in
    /// `entries`. A value whose wire type does not fit its field is unknown, as protobuf parsers treat it.
    mutating func collectEntries(
        _ message: MessageDescriptor,
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>
    ) throws -> Range<Int> {
        let base = entries.count
        var reader = WireReader(bytes, range: range)
        var sorted = true
        var previous: Int32 = -1
        // Local copies: reading a class's array property in the loop would retain and release it every time.
        let numbers = message.numbers
        let wireInfo = message.wireInfo
        while !reader.isAtEnd {
            let (number, wireType) = try reader.readTag()
            let valueStart = reader.position
            guard let index = MessageDescriptor.fieldIndex(number: number, in: numbers) else {
                try reader.skip(wireType, number: number)
                continue
            }
            var start = valueStart
            if wireType == .lengthDelimited {
                let payload = try reader.readLengthDelimited()
                start = payload.lowerBound
            } else {
                try reader.skip(wireType, number: number)
            }
            let info = wireInfo[index]
            let fits = wireType.rawValue == info & 7 || (wireType == .lengthDelimited && info & 8 != 0)
            guard fits else { continue }
            let fieldIndex = Int32(index)
            if fieldIndex < previous { sorted = false }
            previous = fieldIndex
            entries.append(
                FieldEntry(field: fieldIndex, wireType: wireType, start: Int32(start), end: Int32(reader.position))
            )
        }
        if !sorted {
            // Stable: occurrences of one field keep their order (the last of a singular field wins).
            var slice = Array(entries[base...])
            slice = slice.enumerated().sorted { ($0.element.field, $0.offset) < ($1.element.field, $1.offset) }.map(
                \.element
            )
            entries.replaceSubrange(base..., with: slice)
        }
        return base..<entries.count
    }

    /// The occurrences of field `index` within sorted `entries`.
    func group(of index: Int, in range: Range<Int>) -> Range<Int> {
        var start = range.lowerBound
        while start < range.upperBound && entries[start].field < Int32(index) { start += 1 }
        var end = start
        while end < range.upperBound && entries[end].field == Int32(index) { end += 1 }
        return start..<end
    }

    mutating func writeFields(
        _ message: MessageDescriptor,
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ range: Range<Int>,
        needsComma: inout Bool
    ) throws {
        let all = try collectEntries(message, bytes, range)
        defer { entries.removeSubrange(all) }
        var cursor = all.lowerBound
        let fields = message.fields
        let keys = options.useProtoFieldNames ? message.protoKeys : message.jsonKeys
        let keyEnds = options.useProtoFieldNames ? message.protoKeyEnds : message.jsonKeyEnds
        func writeKey(_ index: Int, _ out: inout JSONOutput) {
            if needsComma { out.append(UInt8(ascii: ",")) }
            needsComma = true
            let start = index == 0 ? 0 : Int(keyEnds[index - 1])
            keys.withUnsafeBufferPointer {
                out.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<Int(keyEnds[index])]))
            }
        }
        for index in fields.indices {
            let field = fields[index]
            var end = cursor
            while end < all.upperBound && entries[end].field == Int32(index) { end += 1 }
            let group = cursor..<end
            cursor = end
            if group.isEmpty {
                guard options.emitDefaultValues && !field.hasPresence else { continue }
                writeKey(index, &out)
                try inField(field) { try writeDefault(field) }
                continue
            }
            if !field.isRepeated && !field.hasPresence && !options.emitDefaultValues
                && isDefault(field, entries[group.upperBound - 1], bytes)
            {
                continue
            }
            if field.isRepeated && !field.isMap && field.type.isPackable && !options.emitDefaultValues
                && group.allSatisfy({ entries[$0].wireType == .lengthDelimited && entries[$0].start == entries[$0].end }
                )
            {
                continue  // only empty packed runs: no elements
            }
            writeKey(index, &out)
            try inField(field) { try writeValue(of: field, group, bytes) }
        }
    }

    /// A field's JSON value from its occurrences (`group`, a range of `entries`).
    mutating func writeValue(of field: FieldDescriptor, _ group: Range<Int>, _ bytes: UnsafeBufferPointer<UInt8>) throws
    {
        if field.isMap {
            try writeMap(field, group, bytes)
        } else if field.isRepeated {
            out.append(UInt8(ascii: "["))
            var count = 0
            for position in group {
                let entry = entries[position]
                if entry.wireType == .lengthDelimited && field.type.isPackable {
                    var reader = WireReader(bytes, range: Int(entry.start)..<Int(entry.end))
                    while !reader.isAtEnd {
                        if count > 0 { out.append(UInt8(ascii: ",")) }
                        try inPath(.index(count)) { try writeScalar(field, &reader) }
                        count += 1
                    }
                } else {
                    if count > 0 { out.append(UInt8(ascii: ",")) }
                    try inPath(.index(count)) { try writeSingle(field, entry, bytes) }
                    count += 1
                }
            }
            out.append(UInt8(ascii: "]"))
        } else if field.type == .message && group.count > 1 {
            // A singular message given more than once is the merge of all of them, which is what parsing
            // their concatenation gives.
            var merged: [UInt8] = []
            for position in group {
                merged.append(
                    contentsOf: UnsafeBufferPointer(
                        rebasing: bytes[Int(entries[position].start)..<Int(entries[position].end)]
                    )
                )
            }
            try merged.withUnsafeBufferPointer { try writeMessage(field.messageIndex, $0, 0..<$0.count) }
        } else {
            try writeSingle(field, entries[group.upperBound - 1], bytes)
        }
    }

    mutating func writeSingle(_ field: FieldDescriptor, _ entry: FieldEntry, _ bytes: UnsafeBufferPointer<UInt8>) throws
    {
        let range = Int(entry.start)..<Int(entry.end)
        switch field.type {
        case .message, .group: try writeMessage(field.messageIndex, bytes, range)
        case .string:
            guard UTF8Validation.isValid(bytes, range: range) else {
                throw ProtoJSONError(.malformedBinary, "string field is not valid UTF-8")
            }
            out.appendString(bytes, range: range)
        case .bytes:
            out.append(UInt8(ascii: "\""))
            Base64Coding.encode(bytes, range: range, into: &out.bytes)
            out.append(UInt8(ascii: "\""))
        default:
            var reader = WireReader(bytes, range: range)
            try writeScalar(field, &reader)
        }
    }

    /// Whether a singular field's value is its type's default (no presence: then it is not written).
    func isDefault(_ field: FieldDescriptor, _ entry: FieldEntry, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        switch entry.wireType {
        case .lengthDelimited: return entry.start == entry.end
        case .varint:
            var reader = WireReader(bytes, range: Int(entry.start)..<Int(entry.end))
            return (try? reader.readVarint()) == 0
        default:
            // Bits, not values: -0.0 is not the default.
            return (Int(entry.start)..<Int(entry.end)).allSatisfy { bytes[$0] == 0 }
        }
    }

    /// One numeric, bool or enum value read from `reader` (a packed run or a single value).
    mutating func writeScalar(_ field: FieldDescriptor, _ reader: inout WireReader) throws {
        switch field.type {
        case .int32: out.appendInteger(Int64(Int32(truncatingIfNeeded: try reader.readVarint())))
        case .uint32: out.appendInteger(UInt64(UInt32(truncatingIfNeeded: try reader.readVarint())))
        case .sint32: out.appendInteger(Int64(Int32(truncatingIfNeeded: try reader.readVarint().zigZagDecoded)))
        case .int64: writeQuoted(Int64(bitPattern: try reader.readVarint()))
        case .uint64: writeQuoted(try reader.readVarint())
        case .sint64: writeQuoted(try reader.readVarint().zigZagDecoded)
        case .fixed32: out.appendInteger(UInt64(try reader.readFixed32()))
        case .sfixed32: out.appendInteger(Int64(Int32(bitPattern: try reader.readFixed32())))
        case .fixed64: writeQuoted(try reader.readFixed64())
        case .sfixed64: writeQuoted(Int64(bitPattern: try reader.readFixed64()))
        case .bool: out.append(try reader.readVarint() != 0 ? "true" : "false")
        case .float: out.appendFloat(Float(bitPattern: try reader.readFixed32()))
        case .double: out.appendDouble(Double(bitPattern: try reader.readFixed64()))
        case .enum: writeEnum(field.enumIndex, Int32(truncatingIfNeeded: try reader.readVarint()))
        case .string, .bytes, .message, .group:
            throw ProtoJSONError(.malformedBinary, "unexpected wire type")
        }
    }

    mutating func writeQuoted(_ value: Int64) {
        out.append(UInt8(ascii: "\""))
        out.appendInteger(value)
        out.append(UInt8(ascii: "\""))
    }

    mutating func writeQuoted(_ value: UInt64) {
        out.append(UInt8(ascii: "\""))
        out.appendInteger(value)
        out.append(UInt8(ascii: "\""))
    }

    /// By name; a number the enum does not declare as the number (open enums keep unknown values).
    mutating func writeEnum(_ enumIndex: Int, _ number: Int32) {
        let enumType = pool.enums[enumIndex]
        if enumType.fullName == "google.protobuf.NullValue" {
            out.append("null")
        } else if let name = enumType.quotedNameByNumber[number] {
            out.appendRaw(name)
        } else {
            out.appendInteger(Int64(number))
        }
    }

    /// A field's value when absent: `emitDefaultValues`, a missing map key or value, an unset wrapper.
    mutating func writeDefault(_ field: FieldDescriptor) throws {
        if field.isMap {
            out.append("{}")
            return
        }
        if field.isRepeated {
            out.append("[]")
            return
        }
        switch field.type {
        case .message, .group: try writeMessage(field.messageIndex, UnsafeBufferPointer(start: nil, count: 0), 0..<0)
        case .string, .bytes: out.append("\"\"")
        case .bool: out.append("false")
        case .int64, .uint64, .sint64, .fixed64, .sfixed64: out.append("\"0\"")
        case .float, .double: out.appendDouble(0)
        case .enum: writeEnum(field.enumIndex, 0)
        default: out.append(UInt8(ascii: "0"))
        }
    }

    /// A map field as an object; a key given twice keeps its last value, as parsing does.
    mutating func writeMap(_ field: FieldDescriptor, _ group: Range<Int>, _ bytes: UnsafeBufferPointer<UInt8>) throws {
        let entryType = pool.messages[field.messageIndex]
        guard let keyIndex = entryType.fieldIndex(number: 1), let valueIndex = entryType.fieldIndex(number: 2) else {
            throw ProtoJSONError(.malformedBinary, "map entry without key or value field")
        }
        let keyField = entryType.fields[keyIndex]
        let valueField = entryType.fields[valueIndex]
        // Each entry's key (as JSON text) and value occurrence.
        var keys: [[UInt8]] = []
        var values: [FieldEntry?] = []
        keys.reserveCapacity(group.count)
        values.reserveCapacity(group.count)
        for position in group {
            let entry = entries[position]
            let entryRange = Int(entry.start)..<Int(entry.end)
            let inner = try collectEntries(entryType, bytes, entryRange)
            let keyGroup = self.group(of: keyIndex, in: inner)
            let valueGroup = self.group(of: valueIndex, in: inner)
            let keyEntry = keyGroup.isEmpty ? nil : entries[keyGroup.upperBound - 1]
            values.append(valueGroup.isEmpty ? nil : entries[valueGroup.upperBound - 1])
            entries.removeSubrange(inner)
            let saved = out.bytes
            out.bytes = []
            if let keyEntry {
                try writeSingle(keyField, keyEntry, bytes)
            } else {
                try writeDefault(keyField)
            }
            if out.bytes.first != UInt8(ascii: "\"") {  // numbers and bools are quoted as keys
                out.bytes.insert(UInt8(ascii: "\""), at: 0)
                out.append(UInt8(ascii: "\""))
            }
            keys.append(out.bytes)
            out.bytes = saved
        }
        var lastIndexOfKey: [[UInt8]: Int] = [:]
        if keys.count > 1 {
            for (index, key) in keys.enumerated() { lastIndexOfKey[key] = index }
        }
        out.append(UInt8(ascii: "{"))
        var needsComma = false
        for (index, key) in keys.enumerated() where keys.count == 1 || lastIndexOfKey[key] == index {
            if needsComma { out.append(UInt8(ascii: ",")) }
            needsComma = true
            out.appendRaw(key)
            out.append(UInt8(ascii: ":"))
            let keyText = String(decoding: key.dropFirst().dropLast(), as: UTF8.self)
            try inPath(.key(keyText)) {
                if let value = values[index] {
                    try writeSingle(valueField, value, bytes)
                } else {
                    try writeDefault(valueField)
                }
            }
        }
        out.append(UInt8(ascii: "}"))
    }
}
