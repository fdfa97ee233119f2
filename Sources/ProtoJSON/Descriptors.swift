/// Field types, numbered as `google.protobuf.FieldDescriptorProto.Type`.
public enum FieldType: Int32, Sendable {
    case double = 1, float, int64, uint64, int32, fixed64, fixed32, bool, string, group, message, bytes, uint32
    case `enum`, sfixed32, sfixed64, sint32, sint64

    /// The wire type of one value (packed repeated fields put many in one length-delimited record).
    var wireType: WireType {
        switch self {
        case .double, .fixed64, .sfixed64: .fixed64
        case .float, .fixed32, .sfixed32: .fixed32
        case .string, .bytes, .message: .lengthDelimited
        case .group: .startGroup
        default: .varint
        }
    }

    var isPackable: Bool { wireType != .lengthDelimited && wireType != .startGroup }
}

/// The well-known types with a JSON form of their own.
package enum WellKnownType: Sendable {
    case any, timestamp, duration, fieldMask, structValue, value, listValue, empty
    case doubleValue, floatValue, int64Value, uint64Value, int32Value, uint32Value, boolValue, stringValue
    case bytesValue

    package init?(fullName: String) {
        switch fullName {
        case "google.protobuf.Any": self = .any
        case "google.protobuf.Timestamp": self = .timestamp
        case "google.protobuf.Duration": self = .duration
        case "google.protobuf.FieldMask": self = .fieldMask
        case "google.protobuf.Struct": self = .structValue
        case "google.protobuf.Value": self = .value
        case "google.protobuf.ListValue": self = .listValue
        case "google.protobuf.Empty": self = .empty
        case "google.protobuf.DoubleValue": self = .doubleValue
        case "google.protobuf.FloatValue": self = .floatValue
        case "google.protobuf.Int64Value": self = .int64Value
        case "google.protobuf.UInt64Value": self = .uint64Value
        case "google.protobuf.Int32Value": self = .int32Value
        case "google.protobuf.UInt32Value": self = .uint32Value
        case "google.protobuf.BoolValue": self = .boolValue
        case "google.protobuf.StringValue": self = .stringValue
        case "google.protobuf.BytesValue": self = .bytesValue
        default: return nil
        }
    }

    /// Whether an Any holding it puts its JSON under `"value"`: every well-known type but Empty, whose JSON
    /// (`{}`) is a plain message's, so it sits beside `@type` like one (as json_format does).
    var hasOwnJSONForm: Bool { self != .empty }

    var isWrapper: Bool {
        switch self {
        case .doubleValue, .floatValue, .int64Value, .uint64Value, .int32Value, .uint32Value, .boolValue,
            .stringValue, .bytesValue:
            true
        default: false
        }
    }
}

/// One field of a message, resolved against its pool. A class: the codec takes fields out of their message's
/// list for every value it converts, and a struct of this many strings and arrays costs a retain and release
/// per member each time (half the encoder's time when it was one).
public final class FieldDescriptor: Sendable {
    public let name: String
    /// protoc's `json_name` (lowerCamelCase of `name` unless the proto sets one).
    public let jsonName: String
    public let number: Int32
    public let type: FieldType
    public let isRepeated: Bool
    /// Set for map fields: `messageIndex` is then the map entry message (key = 1, value = 2).
    public let isMap: Bool
    /// Whether a default value is still "set": message fields, oneof members, proto3 `optional` and proto2
    /// singular fields. Fields without presence are omitted from JSON at their default value.
    public let hasPresence: Bool
    /// Index in the message's `oneofNames` of a real (not synthetic) oneof, or nil.
    public let oneofIndex: Int?
    /// Fully-qualified type name of a message or enum field, without the leading dot.
    public let typeName: String
    /// Repeated numeric, bool and enum values are written in one length-delimited run (proto3's default,
    /// `[packed = false]` turns it off); readers accept both forms either way.
    let isPacked: Bool
    /// Index of the field's message type in the pool (`type == .message`), otherwise -1.
    let messageIndex: Int
    /// Index of the field's enum type in the pool (`type == .enum`), otherwise -1.
    let enumIndex: Int
    /// `"jsonName":` and `"name":`, ready to append.
    let jsonKey: [UInt8]
    let protoKey: [UInt8]

    init(
        name: String,
        jsonName: String,
        number: Int32,
        type: FieldType,
        isRepeated: Bool,
        isMap: Bool,
        hasPresence: Bool,
        oneofIndex: Int?,
        typeName: String,
        isPacked: Bool,
        messageIndex: Int,
        enumIndex: Int,
        jsonKey: [UInt8],
        protoKey: [UInt8]
    ) {
        self.name = name
        self.jsonName = jsonName
        self.number = number
        self.type = type
        self.isRepeated = isRepeated
        self.isMap = isMap
        self.hasPresence = hasPresence
        self.oneofIndex = oneofIndex
        self.typeName = typeName
        self.isPacked = isPacked
        self.messageIndex = messageIndex
        self.enumIndex = enumIndex
        self.jsonKey = jsonKey
        self.protoKey = protoKey
    }
}

/// A message type.
public final class MessageDescriptor: Sendable {
    public let fullName: String
    /// Ordered by field number, which is the order JSON output follows (as json_format's ListFields does).
    public let fields: [FieldDescriptor]
    /// Names of the real oneofs (proto3 `optional`'s synthetic ones excluded).
    public let oneofNames: [String]
    public let isMapEntry: Bool
    let wellKnownType: WellKnownType?
    /// Both `json_name` and the proto name of every field, to its index in `fields`.
    let fieldIndexByKey: [String: Int]
    /// Per field, in `fields` order, what the encoder's inner loops read, as plain values so that reading them
    /// from a local copy of the array costs no reference counting: the field numbers, and the wire type a value
    /// comes in (low 3 bits) plus 8 when a length-delimited packed run is accepted too.
    let numbers: [Int32]
    let wireInfo: [UInt8]
    /// Every field's `"jsonName":` (or `"name":`) one after the other, field `i`'s ending at `keyEnds[i]`.
    let jsonKeys: [UInt8]
    let protoKeys: [UInt8]
    let jsonKeyEnds: [Int32]
    let protoKeyEnds: [Int32]
    /// For `fieldIndex(key:)` in messages of up to 16 fields: each field's json_name, then its proto name when
    /// it differs, one after the other (the `i`th ending at `lookupEnds[i]`, naming `fields[lookupFields[i]]`).
    let lookupNames: [UInt8]
    let lookupEnds: [Int32]
    let lookupFields: [Int32]

    init(fullName: String, fields: [FieldDescriptor], oneofNames: [String], isMapEntry: Bool) {
        self.fullName = fullName
        self.fields = fields
        self.oneofNames = oneofNames
        self.isMapEntry = isMapEntry
        self.wellKnownType = WellKnownType(fullName: fullName)
        var byKey: [String: Int] = [:]
        for (index, field) in fields.enumerated() {
            byKey[field.name] = index
            byKey[field.jsonName] = index
        }
        self.fieldIndexByKey = byKey
        self.numbers = fields.map(\.number)
        self.wireInfo = fields.map { field in
            field.type.wireType.rawValue | (field.isRepeated && field.type.isPackable ? 8 : 0)
        }
        self.jsonKeys = fields.flatMap(\.jsonKey)
        self.protoKeys = fields.flatMap(\.protoKey)
        var jsonEnd: Int32 = 0
        var protoEnd: Int32 = 0
        self.jsonKeyEnds = fields.map { field in
            jsonEnd += Int32(field.jsonKey.count)
            return jsonEnd
        }
        self.protoKeyEnds = fields.map { field in
            protoEnd += Int32(field.protoKey.count)
            return protoEnd
        }
        var lookupNames: [UInt8] = []
        var lookupEnds: [Int32] = []
        var lookupFields: [Int32] = []
        if fields.count <= 16 {
            for (index, field) in fields.enumerated() {
                for name in field.name == field.jsonName ? [field.jsonName] : [field.jsonName, field.name] {
                    lookupNames.append(contentsOf: name.utf8)
                    lookupEnds.append(Int32(lookupNames.count))
                    lookupFields.append(Int32(index))
                }
            }
        }
        self.lookupNames = lookupNames
        self.lookupEnds = lookupEnds
        self.lookupFields = lookupFields
    }

    /// The index in `fields` of the field with this number.
    @inline(__always)
    func fieldIndex(number: Int32) -> Int? { Self.fieldIndex(number: number, in: numbers) }

    /// Binary search in a message's `numbers`, taken as a local copy by hot loops.
    @inline(__always)
    static func fieldIndex(number: Int32, in numbers: [Int32]) -> Int? {
        var low = 0
        var high = numbers.count - 1
        while low <= high {
            let middle = (low + high) >> 1
            let candidate = numbers[middle]
            if candidate == number { return middle }
            if candidate < number { low = middle + 1 } else { high = middle - 1 }
        }
        return nil
    }

    /// The index of the field a JSON key (unescaped UTF-8) names, by its `json_name` or its proto name. Small
    /// messages compare the bytes against each name (no string to build, nothing to hash: a tenth of decoding
    /// time went to hashing keys); larger ones use the dictionary.
    func fieldIndex(key: UnsafeBufferPointer<UInt8>) -> Int? {
        guard !lookupFields.isEmpty else { return fieldIndexByKey[String(decoding: key, as: UTF8.self)] }
        let ends = lookupEnds
        let fields = lookupFields
        return lookupNames.withUnsafeBufferPointer { names -> Int? in
            var start = 0
            for position in ends.indices {
                let end = Int(ends[position])
                defer { start = end }
                guard end - start == key.count else { continue }
                var equal = true
                for offset in 0..<key.count where names[start + offset] != key[offset] {
                    equal = false
                    break
                }
                if equal { return Int(fields[position]) }
            }
            return nil
        }
    }

    /// The field a JSON key names: its `json_name` or its proto name.
    public func field(named key: String) -> FieldDescriptor? {
        fieldIndexByKey[key].map { fields[$0] }
    }
}

/// An enum type.
public final class EnumDescriptor: Sendable {
    public let fullName: String
    /// In declaration order; the first is the default.
    public let values: [(name: String, number: Int32)]
    let numberByName: [String: Int32]
    /// `"NAME"` per number (the first name declared for an aliased number), ready to append.
    let quotedNameByNumber: [Int32: [UInt8]]

    init(fullName: String, values: [(name: String, number: Int32)]) {
        self.fullName = fullName
        self.values = values
        var byName: [String: Int32] = [:]
        var quoted: [Int32: [UInt8]] = [:]
        for value in values {
            byName[value.name] = value.number
            if quoted[value.number] == nil {
                var output = JSONOutput()
                output.appendString(value.name)
                quoted[value.number] = output.bytes
            }
        }
        self.numberByName = byName
        self.quotedNameByNumber = quoted
    }
}

/// `google.protobuf.MethodOptions.IdempotencyLevel`.
public enum IdempotencyLevel: Int32, Sendable {
    case unknown = 0
    case noSideEffects = 1
    case idempotent = 2
}

/// An RPC method.
public struct MethodDescriptor: Sendable {
    public let name: String
    /// `package.Service`.
    public let serviceName: String
    /// `/package.Service/Method`, the gRPC path.
    public var path: String { "/\(serviceName)/\(name)" }
    /// Fully-qualified names, without the leading dot.
    public let inputType: String
    public let outputType: String
    public let clientStreaming: Bool
    public let serverStreaming: Bool
    public let idempotencyLevel: IdempotencyLevel
    /// The method's `google.api.http` option, if it has one.
    public let httpRule: HTTPRule?
}

/// A gRPC service.
public struct ServiceDescriptor: Sendable {
    /// `package.Service`.
    public let fullName: String
    public let methods: [MethodDescriptor]
}
