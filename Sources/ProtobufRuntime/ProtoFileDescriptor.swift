/// One `.proto` file as protoc described it, for a reflection service: each generated module lists its files
/// in `<Module>Descriptors.files`.
public struct ProtoFileDescriptor: Sendable, Hashable {
    /// An extension field the file declares.
    public struct Extension: Sendable, Hashable {
        /// Fully-qualified name of the extended message, e.g. `"google.protobuf.MethodOptions"`.
        public var extendedType: String
        public var fieldNumber: Int32

        public init(extendedType: String, fieldNumber: Int32) {
            self.extendedType = extendedType
            self.fieldNumber = fieldNumber
        }
    }

    /// Path relative to the include root, e.g. `"grpc/health/v1/health.proto"`.
    public var name: String
    /// Proto package, e.g. `"grpc.health.v1"`.
    public var package: String
    /// Files it imports, by `name`.
    public var dependencies: [String]
    /// The serialized `google.protobuf.FileDescriptorProto`, as `protoc --descriptor_set_out` writes it.
    public var serializedDescriptor: [UInt8]
    /// Fully-qualified names of every message (nested too), enum, service and method (`pkg.Service.Method`).
    public var symbols: [String]
    public var extensions: [Extension]

    public init(
        name: String,
        package: String,
        dependencies: [String],
        serializedDescriptor: [UInt8],
        symbols: [String],
        extensions: [Extension]
    ) {
        self.name = name
        self.package = package
        self.dependencies = dependencies
        self.serializedDescriptor = serializedDescriptor
        self.symbols = symbols
        self.extensions = extensions
    }

    /// What generated code calls: the descriptor comes as base64 text because big `[UInt8]` literals
    /// type-check very slowly. Decoded when the module's `files` list is first used.
    package init(
        name: String,
        package: String,
        dependencies: [String],
        symbols: [String],
        extensions: [Extension],
        base64EncodedDescriptor: StaticString
    ) {
        let bytes = base64EncodedDescriptor.withUTF8Buffer { Base64.decode($0) }
        guard let bytes else {
            preconditionFailure("generated descriptor of \(name) is not valid base64")
        }
        self.init(
            name: name,
            package: package,
            dependencies: dependencies,
            serializedDescriptor: bytes,
            symbols: symbols,
            extensions: extensions
        )
    }
}
