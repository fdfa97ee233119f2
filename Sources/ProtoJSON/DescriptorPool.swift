public import ProtobufRuntime

/// Every message, enum and service of a set of `.proto` files, with type names resolved across files: what the
/// codec and the HTTP router read. Built once (at start) from the generated modules' descriptors, e.g.
/// `DescriptorPool(files: IndicatorsAPIDescriptors.filesWithImports + ProgrammesAPIDescriptors.filesWithImports)`;
/// immutable and shareable afterwards.
public final class DescriptorPool: Sendable {
    let messages: [MessageDescriptor]
    let enums: [EnumDescriptor]
    private let messageIndexByName: [String: Int]
    private let enumIndexByName: [String: Int]
    public let services: [ServiceDescriptor]
    private let methodByPath: [String: MethodDescriptor]

    /// Files may come in any order and more than once (by name, the first wins); a type name that no file
    /// defines is an error naming it.
    public convenience init(files: [ProtoFileDescriptor]) throws {
        try self.init(serializedFiles: files.map(\.serializedDescriptor))
    }

    /// From serialized `google.protobuf.FileDescriptorProto`s.
    public init(serializedFiles: [[UInt8]]) throws {
        var seen = Set<String>()
        var files: [RawFile] = []
        for serialized in serializedFiles {
            let file = try serialized.withUnsafeBufferPointer { try RawFile.parse($0, range: 0..<$0.count) }
            if seen.insert(file.name).inserted { files.append(file) }
        }

        // Names first, so fields can refer to types of any file.
        var flatMessages: [(fullName: String, raw: RawMessage, proto3: Bool)] = []
        var flatEnums: [(fullName: String, raw: RawEnum)] = []
        func collect(_ message: RawMessage, prefix: String, proto3: Bool) {
            let fullName = prefix.isEmpty ? message.name : "\(prefix).\(message.name)"
            flatMessages.append((fullName, message, proto3))
            for nested in message.nested { collect(nested, prefix: fullName, proto3: proto3) }
            for nested in message.enums { flatEnums.append(("\(fullName).\(nested.name)", nested)) }
        }
        for file in files {
            let proto3 = file.syntax == "proto3"
            for message in file.messages { collect(message, prefix: file.package, proto3: proto3) }
            for raw in file.enums {
                flatEnums.append((file.package.isEmpty ? raw.name : "\(file.package).\(raw.name)", raw))
            }
        }
        var messageIndexByName: [String: Int] = [:]
        for (index, entry) in flatMessages.enumerated() { messageIndexByName[entry.fullName] = index }
        var enumIndexByName: [String: Int] = [:]
        for (index, entry) in flatEnums.enumerated() { enumIndexByName[entry.fullName] = index }

        var messages: [MessageDescriptor] = []
        messages.reserveCapacity(flatMessages.count)
        let rawMessages = flatMessages.map(\.raw)
        for entry in flatMessages {
            messages.append(
                try Self.resolve(
                    entry.raw,
                    fullName: entry.fullName,
                    proto3: entry.proto3,
                    messageIndexByName: messageIndexByName,
                    enumIndexByName: enumIndexByName,
                    flatMessages: rawMessages
                )
            )
        }
        self.messages = messages
        self.enums = flatEnums.map { EnumDescriptor(fullName: $0.fullName, values: $0.raw.values) }
        self.messageIndexByName = messageIndexByName
        self.enumIndexByName = enumIndexByName

        var services: [ServiceDescriptor] = []
        var methodByPath: [String: MethodDescriptor] = [:]
        for file in files {
            for service in file.services {
                let serviceName = file.package.isEmpty ? service.name : "\(file.package).\(service.name)"
                var methods: [MethodDescriptor] = []
                for raw in service.methods {
                    let input = raw.inputType.droppingLeadingDot
                    let output = raw.outputType.droppingLeadingDot
                    guard messageIndexByName[input] != nil, messageIndexByName[output] != nil else {
                        throw ProtoJSONError(.unknownType, "\(serviceName).\(raw.name): unknown input or output type")
                    }
                    let method = MethodDescriptor(
                        name: raw.name,
                        serviceName: serviceName,
                        inputType: input,
                        outputType: output,
                        clientStreaming: raw.clientStreaming,
                        serverStreaming: raw.serverStreaming,
                        idempotencyLevel: IdempotencyLevel(rawValue: raw.idempotencyLevel) ?? .unknown,
                        httpRule: raw.httpRule
                    )
                    methods.append(method)
                    methodByPath[method.path] = method
                }
                services.append(ServiceDescriptor(fullName: serviceName, methods: methods))
            }
        }
        self.services = services
        self.methodByPath = methodByPath
    }

    /// A message type by fully-qualified name (`isid.indicators.v1.Observation`; a leading dot is allowed).
    public func message(named name: String) -> MessageDescriptor? {
        messageIndex(named: name).map { messages[$0] }
    }

    /// An enum type by fully-qualified name.
    public func enumType(named name: String) -> EnumDescriptor? {
        enumIndexByName[name.droppingLeadingDot].map { enums[$0] }
    }

    /// A method by its gRPC path, `/package.Service/Method`.
    public func method(path: String) -> MethodDescriptor? { methodByPath[path] }

    func messageIndex(named name: String) -> Int? { messageIndexByName[name.droppingLeadingDot] }

    private static func resolve(
        _ raw: RawMessage,
        fullName: String,
        proto3: Bool,
        messageIndexByName: [String: Int],
        enumIndexByName: [String: Int],
        flatMessages: [RawMessage]
    ) throws -> MessageDescriptor {
        // Synthetic oneofs (one per proto3 `optional` field) are not oneofs to JSON: renumber the real ones.
        var syntheticOneofs = Set<Int32>()
        for field in raw.fields where field.proto3Optional {
            if let oneof = field.oneofIndex { syntheticOneofs.insert(oneof) }
        }
        var realOneofIndex: [Int32: Int] = [:]
        var oneofNames: [String] = []
        for (index, name) in raw.oneofs.enumerated() where !syntheticOneofs.contains(Int32(index)) {
            realOneofIndex[Int32(index)] = oneofNames.count
            oneofNames.append(name)
        }

        var fields: [FieldDescriptor] = []
        for field in raw.fields {
            guard let type = FieldType(rawValue: field.type) else {
                throw ProtoJSONError(.unknownType, "\(fullName).\(field.name): unknown field type \(field.type)")
            }
            let typeName = field.typeName.droppingLeadingDot
            var messageIndex = -1
            var enumIndex = -1
            var isMap = false
            if type == .message || type == .group {
                guard let index = messageIndexByName[typeName] else {
                    throw ProtoJSONError(.unknownType, "\(fullName).\(field.name): unknown type \(typeName)")
                }
                messageIndex = index
                isMap = field.label == 3 && flatMessages[index].mapEntry
            } else if type == .enum {
                guard let index = enumIndexByName[typeName] else {
                    throw ProtoJSONError(.unknownType, "\(fullName).\(field.name): unknown enum \(typeName)")
                }
                enumIndex = index
            }
            let isRepeated = field.label == 3
            let jsonName = field.jsonName ?? lowerCamelCase(field.name)
            let hasPresence =
                !isRepeated && (type == .message || type == .group || field.oneofIndex != nil || !proto3)
            var jsonKey = JSONOutput()
            jsonKey.appendString(jsonName)
            jsonKey.append(UInt8(ascii: ":"))
            var protoKey = JSONOutput()
            protoKey.appendString(field.name)
            protoKey.append(UInt8(ascii: ":"))
            fields.append(
                FieldDescriptor(
                    name: field.name,
                    jsonName: jsonName,
                    number: field.number,
                    type: type,
                    isRepeated: isRepeated,
                    isMap: isMap,
                    hasPresence: hasPresence,
                    oneofIndex: field.oneofIndex.flatMap { realOneofIndex[$0] },
                    typeName: typeName,
                    isPacked: isRepeated && type.isPackable && (field.packed ?? proto3),
                    messageIndex: messageIndex,
                    enumIndex: enumIndex,
                    jsonKey: jsonKey.bytes,
                    protoKey: protoKey.bytes
                )
            )
        }
        fields.sort { $0.number < $1.number }
        return MessageDescriptor(fullName: fullName, fields: fields, oneofNames: oneofNames, isMapEntry: raw.mapEntry)
    }
}

/// protoc's default `json_name`: underscores dropped, the letter after each one upper-cased.
func lowerCamelCase(_ name: String) -> String {
    var result = ""
    var capitalizeNext = false
    for character in name {
        if character == "_" {
            capitalizeNext = true
        } else if capitalizeNext {
            result += character.uppercased()
            capitalizeNext = false
        } else {
            result.append(character)
        }
    }
    return result
}

extension String {
    var droppingLeadingDot: String { hasPrefix(".") ? String(dropFirst()) : self }
}
