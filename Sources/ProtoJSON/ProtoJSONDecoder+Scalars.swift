/// JSON numbers, strings and literals to the wire bits of numeric, bool and enum fields.
extension JSONToBinary {
    /// The value's wire bits (varint value, or the fixed32/fixed64 bit pattern); nil for an enum name the enum
    /// does not declare when unknown values are ignored (the field is then left unset).
    func scalarBits(_ field: FieldDescriptor, _ token: Int) throws -> UInt64? {
        switch field.type {
        case .int32, .sint32, .sfixed32:
            let value = try integer(token, min: Int64(Int32.min), max: Int64(Int32.max))
            switch field.type {
            case .sint32: return value.zigZagEncoded
            case .sfixed32: return UInt64(UInt32(bitPattern: Int32(value)))
            default: return UInt64(bitPattern: value)
            }
        case .int64, .sint64, .sfixed64:
            let value = try integer(token, min: Int64.min, max: Int64.max)
            return field.type == .sint64 ? value.zigZagEncoded : UInt64(bitPattern: value)
        case .uint32, .fixed32: return try unsignedInteger(token, max: UInt64(UInt32.max))
        case .uint64, .fixed64: return try unsignedInteger(token, max: UInt64.max)
        case .bool:
            switch tokens[token].kind {
            case .true: return 1
            case .false: return 0
            case .string where scalarsFromStrings:
                switch string(token) {
                case "true": return 1
                case "false": return 0
                default: break
                }
            default: break
            }
            throw ProtoJSONError(.invalidValue, "expected true or false, got \(describe(token))")
        case .double: return try floatingPoint(token, isFloat: false).bitPattern
        case .float: return UInt64(Float(try floatingPoint(token, isFloat: true)).bitPattern)
        case .enum:
            guard let number = try enumNumber(field, token) else { return nil }
            return UInt64(bitPattern: Int64(number))
        case .string, .bytes, .message, .group:
            throw ProtoJSONError(.invalidValue, "not a scalar field")
        }
    }

    /// By name; by number (a JSON number or a numeric string), any int32 for an open enum.
    func enumNumber(_ field: FieldDescriptor, _ token: Int) throws -> Int32? {
        let enumType = pool.enums[field.enumIndex]
        switch tokens[token].kind {
        case .string:
            let name = string(token)
            if let number = enumType.numberByName[name] { return number }
            if let number = Int32(name) { return number }
            if options.ignoreUnknownFields { return nil }
            throw ProtoJSONError(.invalidValue, "\"\(name)\" is not a value of enum \(enumType.fullName)")
        case .number:
            return Int32(try integer(token, min: Int64(Int32.min), max: Int64(Int32.max)))
        default:
            throw ProtoJSONError(.invalidValue, "expected an enum name or number, got \(describe(token))")
        }
    }

    func integer(_ token: Int, min: Int64, max: Int64) throws -> Int64 {
        let (negative, magnitude) = try integerParts(token)
        let value: Int64?
        if negative {
            value = magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        } else {
            value = magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
        }
        guard let value, value >= min, value <= max else {
            throw ProtoJSONError(.invalidValue, "integer \(describe(token)) is out of range [\(min), \(max)]")
        }
        return value
    }

    func unsignedInteger(_ token: Int, max: UInt64) throws -> UInt64 {
        let (negative, magnitude) = try integerParts(token)
        guard !negative || magnitude == 0, magnitude <= max else {
            throw ProtoJSONError(.invalidValue, "integer \(describe(token)) is out of range [0, \(max)]")
        }
        return magnitude
    }

    /// Sign and magnitude of an integer given as a JSON number (an exponent or zero fraction is fine if the
    /// value is whole: `1e2`, `5.0`) or as a string of decimal digits with an optional `-`.
    func integerParts(_ token: Int) throws -> (negative: Bool, magnitude: UInt64) {
        let value = tokens[token]
        switch value.kind {
        case .number:
            guard let parts = Self.exactInteger(rawBytes(token)) else {
                throw ProtoJSONError(.invalidValue, "expected an integer, got \(describe(token))")
            }
            return parts
        case .string:
            let bytes = value.hasEscapes ? stringBytes(token)[...] : Array(rawBytes(token))[...]
            var digits = bytes
            let negative = digits.first == UInt8(ascii: "-")
            if negative { digits = digits.dropFirst() }
            guard !digits.isEmpty, digits.allSatisfy(isDigit) else {
                // As json_format: a string in number syntax is fine if its value is whole ("1.0", "1e2").
                let text = Array(bytes)
                if Self.isJSONNumber(text),
                    let parts = text.withUnsafeBufferPointer({ Self.exactInteger($0) })
                {
                    return parts
                }
                throw ProtoJSONError(.invalidValue, "expected an integer, got \(describe(token))")
            }
            var magnitude: UInt64 = 0
            for digit in digits {
                let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
                guard !overflow1, !overflow2 else {
                    throw ProtoJSONError(.invalidValue, "integer \(describe(token)) is out of range")
                }
                magnitude = sum
            }
            return (negative, magnitude)
        default:
            throw ProtoJSONError(.invalidValue, "expected an integer, got \(describe(token))")
        }
    }

    /// The exact integer a JSON number's text denotes, or nil if it has a non-zero fraction or does not fit
    /// 64 bits (decimal arithmetic on the digits, never through Double, so 2^63 - 1 stays exact).
    static func exactInteger(_ text: UnsafeBufferPointer<UInt8>) -> (negative: Bool, magnitude: UInt64)? {
        var index = 0
        let negative = text.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var digitPositions: [Int] = []  // where the mantissa's digits are (integer part, then fraction)
        var integerDigits = 0
        var inFraction = false
        while index < text.count {
            let byte = text[index]
            if isDigit(byte) {
                digitPositions.append(index)
                if !inFraction { integerDigits += 1 }
            } else if byte == UInt8(ascii: ".") {
                inFraction = true
            } else {
                break
            }
            index += 1
        }
        var exponent = 0
        if index < text.count {  // 'e' or 'E'
            index += 1
            var exponentNegative = false
            if text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
                exponentNegative = text[index] == UInt8(ascii: "-")
                index += 1
            }
            while index < text.count {
                exponent = Swift.min(exponent * 10 + Int(text[index] - UInt8(ascii: "0")), 100_000)
                index += 1
            }
            if exponentNegative { exponent = -exponent }
        }
        let pointPosition = integerDigits + exponent  // digits before the decimal point
        var magnitude: UInt64 = 0
        for (position, textIndex) in digitPositions.enumerated() {
            let digit = UInt64(text[textIndex] - UInt8(ascii: "0"))
            if position >= pointPosition {
                if digit != 0 { return nil }
                continue
            }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            magnitude = sum
        }
        var missingZeros = pointPosition - digitPositions.count
        while missingZeros > 0 && magnitude != 0 {
            let (times10, overflow) = magnitude.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            magnitude = times10
            missingZeros -= 1
        }
        return (negative, magnitude)
    }

    /// A JSON number, or a string holding `NaN`, `Infinity`, `-Infinity` or a number. Finite numbers that
    /// overflow (and, for float fields, that exceed float's range) are errors, as in json_format.
    func floatingPoint(_ token: Int, isFloat: Bool) throws -> Double {
        let value: Double
        switch tokens[token].kind {
        case .number:
            guard let parsed = Double(String(decoding: rawBytes(token), as: UTF8.self)) else {
                throw ProtoJSONError(.invalidValue, "expected a number, got \(describe(token))")
            }
            value = parsed
        case .string:
            let text = string(token)
            switch text {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            default:
                guard Self.isJSONNumber(Array(text.utf8)), let parsed = Double(text) else {
                    throw ProtoJSONError(.invalidValue, "expected a number, got \(describe(token))")
                }
                value = parsed
            }
        default:
            throw ProtoJSONError(.invalidValue, "expected a number, got \(describe(token))")
        }
        guard value.isFinite else {
            throw ProtoJSONError(
                .invalidValue,
                "number \(describe(token)) is too large (use \"Infinity\" for infinity)"
            )
        }
        // Whatever rounds to a finite float: json_format writes float's maximum as 3.4028235e+38, a little above
        // it, which its own parser then refuses; this one reads it back.
        if isFloat && Float(value).isInfinite {
            throw ProtoJSONError(.invalidValue, "number \(describe(token)) is out of float's range")
        }
        return value
    }

    /// Whether `text` is a number in JSON's grammar (so `"0x10"`, `" 1"` or `"inf"` are not numbers).
    static func isJSONNumber(_ text: [UInt8]) -> Bool {
        text.withUnsafeBufferPointer { buffer in
            var parser = JSONParser(buffer, limits: JSONLimits())
            guard !buffer.isEmpty, buffer[0] == UInt8(ascii: "-") || isDigit(buffer[0]) else { return false }
            return (try? parser.parseNumber()) != nil && parser.position == buffer.count
        }
    }
}
