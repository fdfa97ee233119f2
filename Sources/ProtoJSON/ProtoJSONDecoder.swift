/// How `ProtoJSONDecoder` reads JSON. The defaults are json_format's `Parse` defaults.
public struct ProtoJSONDecodingOptions: Sendable {
    /// Skip keys that name no field (and enum names the enum does not declare) instead of failing.
    public var ignoreUnknownFields: Bool
    /// Size and nesting limits of the JSON text.
    public var limits: JSONLimits

    public init(ignoreUnknownFields: Bool = false, limits: JSONLimits = .init()) {
        self.ignoreUnknownFields = ignoreUnknownFields
        self.limits = limits
    }
}

/// proto3 JSON to protobuf binary, driven by the pool's descriptors, accepting what json_format's `Parse`
/// accepts: `json_name` or proto field names, enums by name or number, 64-bit integers as strings or numbers,
/// `"NaN"`/`"Infinity"`, standard or URL-safe base64, `null` as "not set", and the well-known types' JSON forms.
/// Fields are written in the order the JSON gives them, packed where proto3 packs, defaults of fields without
/// presence left out (as a serializer leaves them out).
public struct ProtoJSONDecoder: Sendable {
    public let pool: DescriptorPool
    public var options: ProtoJSONDecodingOptions

    public init(pool: DescriptorPool, options: ProtoJSONDecodingOptions = .init()) {
        self.pool = pool
        self.options = options
    }

    /// The binary of the message of type `messageType` (fully-qualified) that `json` (UTF-8) describes.
    public func decode(_ json: [UInt8], messageType: String) throws -> [UInt8] {
        try decode(json, messageType: messageType, scalarsFromStrings: false)
    }

    /// `scalarsFromStrings`: also read bools from `"true"`/`"false"`, as HTTP path and query values come.
    func decode(_ json: [UInt8], messageType: String, scalarsFromStrings: Bool) throws -> [UInt8] {
        guard let index = pool.messageIndex(named: messageType) else {
            throw ProtoJSONError(.unknownType, "unknown message type \(messageType)")
        }
        return try json.withUnsafeBufferPointer { text in
            let tokens = try JSONParser.parse(text, limits: options.limits)
            var reader = JSONToBinary(
                text: text,
                tokens: tokens,
                pool: pool,
                options: options,
                scalarsFromStrings: scalarsFromStrings
            )
            reader.out.bytes.reserveCapacity(json.count)
            try reader.decodeMessage(index, 0)
            return reader.out.bytes
        }
    }
}

/// Which fields (or oneofs) an object has set so far: a bit mask, and a set only past 64.
struct SeenSet {
    private var low: UInt64 = 0
    private var high: Set<Int> = []

    /// False if `index` was already there.
    mutating func insert(_ index: Int) -> Bool {
        if index < 64 {
            let bit: UInt64 = 1 << UInt64(index)
            if low & bit != 0 { return false }
            low |= bit
            return true
        }
        return high.insert(index).inserted
    }
}

/// One decoding: the JSON text and its tokens in, the binary out.
struct JSONToBinary {
    let text: UnsafeBufferPointer<UInt8>
    let tokens: [JSONToken]
    let pool: DescriptorPool
    let options: ProtoJSONDecodingOptions
    let scalarsFromStrings: Bool
    var out = WireWriter()
    /// Unescaped strings and decoded base64, reused.
    var scratch: [UInt8] = []

    /// Writes the fields of message `messageIndex` that JSON value `token` describes (no tag, no length).
    mutating func decodeMessage(_ messageIndex: Int, _ token: Int) throws {
        let message = pool.messages[messageIndex]
        if let wellKnown = message.wellKnownType {
            try decodeWellKnown(wellKnown, message, token)
            return
        }
        try decodeObject(message, token, skippingTypeKey: false)
    }

    /// A regular message's fields from a JSON object. `skippingTypeKey`: the object is an Any's, whose
    /// `@type` key is not a field.
    mutating func decodeObject(_ message: MessageDescriptor, _ token: Int, skippingTypeKey: Bool) throws {
        try expect(.object, token, "an object for message \(message.fullName)")
        var seenFields = SeenSet()
        var seenOneofs = SeenSet()
        var member = token + 1
        let end = Int(tokens[token].next)
        while member < end {
            let keyToken = member
            let valueToken = member + 1
            member = Int(tokens[valueToken].next)
            if skippingTypeKey && string(keyToken) == "@type" { continue }
            let found =
                tokens[keyToken].hasEscapes
                ? message.fieldIndexByKey[string(keyToken)] : message.fieldIndex(key: rawBytes(keyToken))
            guard let index = found else {
                if options.ignoreUnknownFields { continue }
                let key = string(keyToken)
                // The path names the key itself, so a field violation points at what to remove.
                throw ProtoJSONError(
                    .unknownField,
                    "message \(message.fullName) has no field named \"\(key)\"",
                    path: [.field(key)]
                )
            }
            let field = message.fields[index]
            guard seenFields.insert(index) else {
                throw ProtoJSONError(
                    .invalidValue,
                    "field \(field.name) is given more than once",
                    path: [.field(field.name)]
                )
            }
            if let oneof = field.oneofIndex, tokens[valueToken].kind != .null {
                guard seenOneofs.insert(oneof) else {
                    throw ProtoJSONError(
                        .invalidValue,
                        "more than one field of oneof \(message.oneofNames[oneof]) is set",
                        path: [.field(field.name)]
                    )
                }
            }
            try inField(field) { try decodeField(field, valueToken) }
        }
    }

    mutating func decodeField(_ field: FieldDescriptor, _ token: Int) throws {
        if tokens[token].kind == .null {
            // null means "not set", except for the types whose JSON value null is.
            if !field.isRepeated && field.type == .message && pool.messages[field.messageIndex].wellKnownType == .value
            {
                out.writeTag(field.number, .lengthDelimited)
                out.writeBytes([0x08, 0x00])  // Value { null_value: NULL_VALUE }
            } else if !field.isRepeated && field.type == .enum && field.hasPresence && isNullValueEnum(field) {
                out.writeTag(field.number, .varint)
                out.writeVarint(0)
            }
            return
        }
        if field.isMap {
            try decodeMap(field, token)
        } else if field.isRepeated {
            try expect(.array, token, "an array")
            var element = token + 1
            let end = Int(tokens[token].next)
            var index = 0
            if field.isPacked {
                var start = -1
                while element < end {
                    try inPath(.index(index)) {
                        try expectNotNull(element)
                        guard let bits = try scalarBits(field, element) else { return }
                        if start < 0 {
                            out.writeTag(field.number, .lengthDelimited)
                            start = out.beginLengthDelimited()
                        }
                        writeBits(field.type.wireType, bits)
                    }
                    element = Int(tokens[element].next)
                    index += 1
                }
                if start >= 0 { out.endLengthDelimited(start) }
            } else {
                // google.protobuf.Value elements may be null (a Value holding null_value), as json_format reads them.
                let elementsMayBeNull =
                    field.type == .message && pool.messages[field.messageIndex].wellKnownType == .value
                while element < end {
                    try inPath(.index(index)) {
                        if !elementsMayBeNull { try expectNotNull(element) }
                        try writeSingular(field, element, omitDefault: false)
                    }
                    element = Int(tokens[element].next)
                    index += 1
                }
            }
        } else {
            try writeSingular(field, token, omitDefault: !field.hasPresence)
        }
    }

    private func expectNotNull(_ token: Int) throws {
        if tokens[token].kind == .null {
            throw ProtoJSONError(.invalidValue, "null is not allowed as an element of a repeated field")
        }
    }

    func isNullValueEnum(_ field: FieldDescriptor) -> Bool {
        field.type == .enum && pool.enums[field.enumIndex].fullName == "google.protobuf.NullValue"
    }

    /// One value of a non-repeated field (or one element of a repeated one) with its tag.
    mutating func writeSingular(_ field: FieldDescriptor, _ token: Int, omitDefault: Bool) throws {
        switch field.type {
        case .message, .group:
            if tokens[token].kind == .null {  // a map's or a list's Value
                out.writeTag(field.number, .lengthDelimited)
                out.writeBytes([0x08, 0x00])
                return
            }
            out.writeTag(field.number, .lengthDelimited)
            let start = out.beginLengthDelimited()
            try decodeMessage(field.messageIndex, token)
            out.endLengthDelimited(start)
        case .string:
            try expect(.string, token, "a string")
            let value = tokens[token]
            if omitDefault && value.start == value.end { return }
            out.writeTag(field.number, .lengthDelimited)
            if value.hasEscapes {
                scratch.removeAll(keepingCapacity: true)
                unescapeJSONString(text, value, into: &scratch)
                out.writeBytes(scratch)
            } else {
                out.writeBytes(UnsafeBufferPointer(rebasing: text[Int(value.start)..<Int(value.end)]))
            }
        case .bytes:
            try expect(.string, token, "a base64 string")
            let encoded = stringBytes(token)
            scratch.removeAll(keepingCapacity: true)
            guard Base64Coding.decode(encoded, into: &scratch) else {
                throw ProtoJSONError(.invalidValue, "not valid base64")
            }
            if omitDefault && scratch.isEmpty { return }
            out.writeTag(field.number, .lengthDelimited)
            out.writeBytes(scratch)
        default:
            guard let bits = try scalarBits(field, token) else { return }
            if omitDefault && bits == 0 { return }
            out.writeTag(field.number, field.type.wireType)
            writeBits(field.type.wireType, bits)
        }
    }

    mutating func writeBits(_ wireType: WireType, _ bits: UInt64) {
        switch wireType {
        case .fixed32: out.writeFixed32(UInt32(truncatingIfNeeded: bits))
        case .fixed64: out.writeFixed64(bits)
        default: out.writeVarint(bits)
        }
    }

    /// A map field from a JSON object: one entry message (key 1, value 2) per member, keys converted from
    /// their text.
    mutating func decodeMap(_ field: FieldDescriptor, _ token: Int) throws {
        try expect(.object, token, "an object for a map")
        let entryType = pool.messages[field.messageIndex]
        guard let keyIndex = entryType.fieldIndex(number: 1), let valueIndex = entryType.fieldIndex(number: 2) else {
            throw ProtoJSONError(.unknownType, "map entry \(entryType.fullName) without key or value")
        }
        let keyField = entryType.fields[keyIndex]
        let valueField = entryType.fields[valueIndex]
        var seenKeys = Set<String>()
        var member = token + 1
        let end = Int(tokens[token].next)
        while member < end {
            let keyToken = member
            let valueToken = member + 1
            member = Int(tokens[valueToken].next)
            let key = string(keyToken)
            try inPath(.key(key)) {
                guard seenKeys.insert(key).inserted else { throw ProtoJSONError(.invalidValue, "duplicate map key") }
                if tokens[valueToken].kind == .null
                    && !(valueField.type == .message
                        && pool.messages[valueField.messageIndex].wellKnownType == .value)
                {
                    throw ProtoJSONError(.invalidValue, "null is not allowed as a map value")
                }
                out.writeTag(field.number, .lengthDelimited)
                let start = out.beginLengthDelimited()
                try writeMapKey(keyField, keyToken, key)
                try writeSingular(valueField, valueToken, omitDefault: false)
                out.endLengthDelimited(start)
            }
        }
    }

    mutating func writeMapKey(_ keyField: FieldDescriptor, _ keyToken: Int, _ key: String) throws {
        switch keyField.type {
        case .string: try writeSingular(keyField, keyToken, omitDefault: false)
        case .bool:
            guard key == "true" || key == "false" else {
                throw ProtoJSONError(.invalidValue, "map key \"\(key)\" is not true or false")
            }
            out.writeTag(keyField.number, .varint)
            out.writeVarint(key == "true" ? 1 : 0)
        default:
            guard let bits = try scalarBits(keyField, keyToken) else { return }
            out.writeTag(keyField.number, keyField.type.wireType)
            writeBits(keyField.type.wireType, bits)
        }
    }

    // MARK: Tokens

    func expect(_ kind: JSONKind, _ token: Int, _ what: String) throws {
        guard tokens[token].kind == kind else {
            throw ProtoJSONError(.invalidValue, "expected \(what), got \(describe(token))")
        }
    }

    func describe(_ token: Int) -> String {
        switch tokens[token].kind {
        case .object: "an object"
        case .array: "an array"
        case .string: "the string \"\(string(token))\""
        case .number: "the number \(String(decoding: rawBytes(token), as: UTF8.self))"
        case .true: "true"
        case .false: "false"
        case .null: "null"
        }
    }

    func rawBytes(_ token: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: text[Int(tokens[token].start)..<Int(tokens[token].end)])
    }

    /// A string token's text, unescaped.
    func string(_ token: Int) -> String {
        let value = tokens[token]
        guard value.hasEscapes else { return String(decoding: rawBytes(token), as: UTF8.self) }
        var bytes: [UInt8] = []
        unescapeJSONString(text, value, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A string token's bytes, unescaped (a copy only when it has escapes).
    func stringBytes(_ token: Int) -> [UInt8] {
        let value = tokens[token]
        guard value.hasEscapes else { return Array(rawBytes(token)) }
        var bytes: [UInt8] = []
        unescapeJSONString(text, value, into: &bytes)
        return bytes
    }
}
