/// The well-known types' JSON forms, JSON to binary.
extension JSONToBinary {
    mutating func decodeWellKnown(_ kind: WellKnownType, _ message: MessageDescriptor, _ token: Int) throws {
        switch kind {
        case .timestamp:
            try expect(.string, token, "an RFC 3339 timestamp string")
            guard let (seconds, nanos) = TimeFormats.parseTimestamp(stringBytes(token)) else {
                throw ProtoJSONError(.invalidValue, "\(describe(token)) is not an RFC 3339 timestamp in 0001 to 9999")
            }
            writeSecondsAndNanos(seconds, nanos)
        case .duration:
            try expect(.string, token, "a duration string such as \"1.5s\"")
            guard let (seconds, nanos) = TimeFormats.parseDuration(stringBytes(token)) else {
                throw ProtoJSONError(.invalidValue, "\(describe(token)) is not a duration such as \"1.5s\"")
            }
            writeSecondsAndNanos(seconds, nanos)
        case .fieldMask:
            try expect(.string, token, "a field mask string")
            let mask = string(token)
            guard !mask.isEmpty else { return }
            for path in mask.split(separator: ",", omittingEmptySubsequences: false) {
                var snake: [UInt8] = []
                for byte in path.utf8 {
                    if byte == UInt8(ascii: "_") {
                        throw ProtoJSONError(.invalidValue, "field mask path \"\(path)\" must be in lowerCamelCase")
                    }
                    if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                        snake.append(UInt8(ascii: "_"))
                        snake.append(byte + 32)
                    } else {
                        snake.append(byte)
                    }
                }
                out.writeTag(1, .lengthDelimited)
                out.writeBytes(snake)
            }
        case .empty:
            try expect(.object, token, "an object")
            if tokens[token].next != Int32(token + 1) && !options.ignoreUnknownFields {
                throw ProtoJSONError(.unknownField, "google.protobuf.Empty has no fields")
            }
        case .structValue: try decodeStruct(token)
        case .listValue: try decodeListValue(token)
        case .value: try decodeValue(token)
        case .any: try decodeAny(token)
        default:
            // Wrappers: the bare value is field 1.
            guard let valueIndex = message.fieldIndex(number: 1) else {
                throw ProtoJSONError(.unknownType, "\(message.fullName) has no value field")
            }
            try writeSingular(message.fields[valueIndex], token, omitDefault: true)
        }
    }

    mutating func writeSecondsAndNanos(_ seconds: Int64, _ nanos: Int32) {
        if seconds != 0 {
            out.writeTag(1, .varint)
            out.writeVarint(UInt64(bitPattern: seconds))
        }
        if nanos != 0 {
            out.writeTag(2, .varint)
            out.writeVarint(UInt64(bitPattern: Int64(nanos)))
        }
    }

    /// Struct: `fields` (1) is a map<string, Value>.
    mutating func decodeStruct(_ token: Int) throws {
        try expect(.object, token, "an object")
        var seenKeys = Set<String>()
        var member = token + 1
        let end = Int(tokens[token].next)
        while member < end {
            let keyToken = member
            let valueToken = member + 1
            member = Int(tokens[valueToken].next)
            let key = string(keyToken)
            try inPath(.key(key)) {
                guard seenKeys.insert(key).inserted else { throw ProtoJSONError(.invalidValue, "duplicate key") }
                out.writeTag(1, .lengthDelimited)
                let entry = out.beginLengthDelimited()
                out.writeTag(1, .lengthDelimited)
                let keyBytes = stringBytes(keyToken)
                out.writeBytes(keyBytes)
                out.writeTag(2, .lengthDelimited)
                let value = out.beginLengthDelimited()
                try decodeValue(valueToken)
                out.endLengthDelimited(value)
                out.endLengthDelimited(entry)
            }
        }
    }

    /// ListValue: `values` (1), repeated Value.
    mutating func decodeListValue(_ token: Int) throws {
        try expect(.array, token, "an array")
        var element = token + 1
        let end = Int(tokens[token].next)
        var index = 0
        while element < end {
            try inPath(.index(index)) {
                out.writeTag(1, .lengthDelimited)
                let start = out.beginLengthDelimited()
                try decodeValue(element)
                out.endLengthDelimited(start)
            }
            element = Int(tokens[element].next)
            index += 1
        }
    }

    /// Value: whichever member of `kind` the JSON value is.
    mutating func decodeValue(_ token: Int) throws {
        switch tokens[token].kind {
        case .null:
            out.writeTag(1, .varint)
            out.writeVarint(0)
        case .number:
            out.writeTag(2, .fixed64)
            out.writeFixed64(try floatingPoint(token, isFloat: false).bitPattern)
        case .string:
            out.writeTag(3, .lengthDelimited)
            out.writeBytes(stringBytes(token))
        case .true, .false:
            out.writeTag(4, .varint)
            out.writeVarint(tokens[token].kind == .true ? 1 : 0)
        case .object:
            out.writeTag(5, .lengthDelimited)
            let start = out.beginLengthDelimited()
            try decodeStruct(token)
            out.endLengthDelimited(start)
        case .array:
            out.writeTag(6, .lengthDelimited)
            let start = out.beginLengthDelimited()
            try decodeListValue(token)
            out.endLengthDelimited(start)
        }
    }

    /// Any: `{"@type": url, ...fields}` or `{"@type": url, "value": json}` for a well-known type; `{}` is an
    /// empty Any. The type must be in the pool.
    mutating func decodeAny(_ token: Int) throws {
        try expect(.object, token, "an object")
        var typeToken: Int?
        var valueToken: Int?
        var member = token + 1
        let end = Int(tokens[token].next)
        var memberCount = 0
        while member < end {
            let key = string(member)
            if key == "@type" { typeToken = member + 1 }
            if key == "value" { valueToken = member + 1 }
            member = Int(tokens[member + 1].next)
            memberCount += 1
        }
        guard let typeToken else {
            if memberCount == 0 { return }
            throw ProtoJSONError(.invalidValue, "Any without \"@type\"")
        }
        try inPath(.field("@type")) { try expect(.string, typeToken, "a type URL string") }
        let url = string(typeToken)
        let typeName = url.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? url
        guard let index = pool.messageIndex(named: typeName) else {
            throw ProtoJSONError(.unknownType, "Any type \(url) is not in the descriptor pool", path: [.field("@type")])
        }
        out.writeTag(1, .lengthDelimited)
        out.writeBytes(Array(url.utf8))
        out.writeTag(2, .lengthDelimited)
        let start = out.beginLengthDelimited()
        let inner = pool.messages[index]
        if let wellKnown = inner.wellKnownType, wellKnown.hasOwnJSONForm {
            guard let valueToken else {
                throw ProtoJSONError(.invalidValue, "Any of a well-known type without \"value\"")
            }
            if memberCount > 2 && !options.ignoreUnknownFields {
                throw ProtoJSONError(
                    .unknownField,
                    "Any of a well-known type has keys other than \"@type\" and \"value\""
                )
            }
            try inPath(.field("value")) { try decodeWellKnown(wellKnown, inner, valueToken) }
        } else {
            try decodeObject(inner, token, skippingTypeKey: true)
        }
        out.endLengthDelimited(start)
    }
}
