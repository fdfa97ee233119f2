/// Just the parts of descriptor.proto the codec and the router need, decoded by hand from the wire format (field
/// numbers from google/protobuf/descriptor.proto), so ProtoJSON needs no generated descriptor types.
struct RawFile {
    var name = ""
    var package = ""
    var syntax = ""
    var messages: [RawMessage] = []
    var enums: [RawEnum] = []
    var services: [RawService] = []

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) throws -> RawFile {
        var file = RawFile()
        try forEachField(bytes, range) { number, reader in
            switch number {
            case 1: file.name = try reader.string()
            case 2: file.package = try reader.string()
            case 4: file.messages.append(try RawMessage.parse(bytes, range: try reader.payload()))
            case 5: file.enums.append(try RawEnum.parse(bytes, range: try reader.payload()))
            case 6: file.services.append(try RawService.parse(bytes, range: try reader.payload()))
            case 12: file.syntax = try reader.string()
            default: try reader.skip()
            }
        }
        if file.syntax.isEmpty { file.syntax = "proto2" }
        return file
    }
}

struct RawMessage {
    var name = ""
    var fields: [RawField] = []
    var nested: [RawMessage] = []
    var enums: [RawEnum] = []
    var oneofs: [String] = []
    var mapEntry = false

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) throws -> RawMessage {
        var message = RawMessage()
        try forEachField(bytes, range) { number, reader in
            switch number {
            case 1: message.name = try reader.string()
            case 2: message.fields.append(try RawField.parse(bytes, range: try reader.payload()))
            case 3: message.nested.append(try RawMessage.parse(bytes, range: try reader.payload()))
            case 4: message.enums.append(try RawEnum.parse(bytes, range: try reader.payload()))
            case 7:  // MessageOptions: map_entry = 7
                try forEachField(bytes, try reader.payload()) { option, optionReader in
                    if option == 7 {
                        message.mapEntry = try optionReader.varint() != 0
                    } else {
                        try optionReader.skip()
                    }
                }
            case 8:  // OneofDescriptorProto: name = 1
                var name = ""
                try forEachField(bytes, try reader.payload()) { field, fieldReader in
                    if field == 1 { name = try fieldReader.string() } else { try fieldReader.skip() }
                }
                message.oneofs.append(name)
            default: try reader.skip()
            }
        }
        return message
    }
}

struct RawField {
    var name = ""
    var number: Int32 = 0
    var label: Int32 = 1
    var type: Int32 = 0
    var typeName = ""
    var jsonName: String?
    var oneofIndex: Int32?
    var proto3Optional = false
    /// FieldOptions.packed (2), when the proto sets it.
    var packed: Bool?

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) throws -> RawField {
        var field = RawField()
        try forEachField(bytes, range) { number, reader in
            switch number {
            case 1: field.name = try reader.string()
            case 3: field.number = Int32(truncatingIfNeeded: try reader.varint())
            case 4: field.label = Int32(truncatingIfNeeded: try reader.varint())
            case 5: field.type = Int32(truncatingIfNeeded: try reader.varint())
            case 6: field.typeName = try reader.string()
            case 9: field.oneofIndex = Int32(truncatingIfNeeded: try reader.varint())
            case 10: field.jsonName = try reader.string()
            case 17: field.proto3Optional = try reader.varint() != 0
            case 8:
                try forEachField(bytes, try reader.payload()) { option, optionReader in
                    if option == 2 { field.packed = try optionReader.varint() != 0 } else { try optionReader.skip() }
                }
            default: try reader.skip()
            }
        }
        return field
    }
}

struct RawEnum {
    var name = ""
    var values: [(name: String, number: Int32)] = []

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) throws -> RawEnum {
        var result = RawEnum()
        try forEachField(bytes, range) { number, reader in
            switch number {
            case 1: result.name = try reader.string()
            case 2:
                var name = ""
                var value: Int32 = 0
                try forEachField(bytes, try reader.payload()) { field, valueReader in
                    switch field {
                    case 1: name = try valueReader.string()
                    case 2: value = Int32(truncatingIfNeeded: try valueReader.varint())
                    default: try valueReader.skip()
                    }
                }
                result.values.append((name, value))
            default: try reader.skip()
            }
        }
        return result
    }
}

struct RawService {
    var name = ""
    var methods: [RawMethod] = []

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) throws -> RawService {
        var service = RawService()
        try forEachField(bytes, range) { number, reader in
            switch number {
            case 1: service.name = try reader.string()
            case 2: service.methods.append(try RawMethod.parse(bytes, range: try reader.payload()))
            default: try reader.skip()
            }
        }
        return service
    }
}

struct RawMethod {
    var name = ""
    var inputType = ""
    var outputType = ""
    var clientStreaming = false
    var serverStreaming = false
    var idempotencyLevel: Int32 = 0
    var httpRule: HTTPRule?

    /// MethodOptions: idempotency_level = 34; the google.api.http extension = 72295728.
    static let httpExtensionNumber: Int32 = 72_295_728

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) throws -> RawMethod {
        var method = RawMethod()
        try forEachField(bytes, range) { number, reader in
            switch number {
            case 1: method.name = try reader.string()
            case 2: method.inputType = try reader.string()
            case 3: method.outputType = try reader.string()
            case 4:
                try forEachField(bytes, try reader.payload()) { option, optionReader in
                    switch option {
                    case 34: method.idempotencyLevel = Int32(truncatingIfNeeded: try optionReader.varint())
                    case httpExtensionNumber:
                        method.httpRule = try HTTPRule.parse(bytes, range: try optionReader.payload())
                    default: try optionReader.skip()
                    }
                }
            case 5: method.clientStreaming = try reader.varint() != 0
            case 6: method.serverStreaming = try reader.varint() != 0
            default: try reader.skip()
            }
        }
        return method
    }
}

/// One field's value, read at most once, in the wire type it came with.
struct FieldReader {
    var reader: WireReader
    let wireType: WireType
    let number: Int32

    mutating func varint() throws -> UInt64 {
        guard wireType == .varint else { throw ProtoJSONError(.malformedBinary, "field \(number): expected a varint") }
        return try reader.readVarint()
    }

    mutating func payload() throws -> Range<Int> {
        guard wireType == .lengthDelimited else {
            throw ProtoJSONError(.malformedBinary, "field \(number): expected a length-delimited value")
        }
        return try reader.readLengthDelimited()
    }

    mutating func string() throws -> String {
        let range = try payload()
        return String(decoding: UnsafeBufferPointer(rebasing: reader.bytes[range]), as: UTF8.self)
    }

    mutating func skip() throws { try reader.skip(wireType, number: number) }
}

/// Calls `body` once per field of the message in `range`; `body` must consume the field's value.
func forEachField(
    _ bytes: UnsafeBufferPointer<UInt8>,
    _ range: Range<Int>,
    _ body: (Int32, inout FieldReader) throws -> Void
) throws {
    var reader = WireReader(bytes, range: range)
    while !reader.isAtEnd {
        let (number, wireType) = try reader.readTag()
        var field = FieldReader(reader: reader, wireType: wireType, number: number)
        try body(number, &field)
        reader = field.reader
    }
}
