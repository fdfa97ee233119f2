public import ProtobufRuntime
public import RPCCore
public import StandardProtos

/// Rich error details as gRPC's richer error model carries them: a `google.rpc.Status` whose
/// `details` are `google.protobuf.Any` values, serialized into the `grpc-status-details-bin` trailer.
/// Stock clients read them with their usual helpers (e.g. grpcio-status's `rpc_status.from_call`).
extension RPCError {
    /// The trailer that carries a serialized `google.rpc.Status`.
    public static let statusDetailsKey = "grpc-status-details-bin"

    /// An error whose trailers carry `details` in a `google.rpc.Status` with the same code and message.
    public init(code: StatusCode, message: String, details: [any ProtobufMessage], metadata: Metadata = [:]) {
        let status = Google_Rpc_Status.with {
            $0.code = Int32(code.rawValue)
            $0.message = message
            $0.details = details.map(Google_Protobuf_Any.init(packing:))
        }
        var metadata = metadata
        metadata.remove(Self.statusDetailsKey)
        metadata.add(Self.statusDetailsKey, binary: status.serializedBytes())
        self.init(code: code, message: message, metadata: metadata)
    }

    /// INVALID_ARGUMENT with a `google.rpc.BadRequest` listing what is wrong with which field.
    public static func invalidArgument(
        _ message: String,
        fieldViolations: [(field: String, description: String)]
    ) -> RPCError {
        let badRequest = Google_Rpc_BadRequest.with {
            $0.fieldViolations = fieldViolations.map { violation in
                .with {
                    $0.field = violation.field
                    $0.description = violation.description
                }
            }
        }
        return RPCError(code: .invalidArgument, message: message, details: [badRequest])
    }

    /// The `google.rpc.Status` the peer sent, if any and if it decodes.
    public var statusDetails: Google_Rpc_Status? {
        metadata.firstBinary(Self.statusDetailsKey).flatMap { try? Google_Rpc_Status(serializedBytes: $0) }
    }

    /// The first detail of the given type, e.g. `error.detail(Google_Rpc_BadRequest.self)`.
    public func detail<Detail: ProtobufMessage>(_ type: Detail.Type) -> Detail? {
        statusDetails?.details.lazy.compactMap { $0.unpack(Detail.self) }.first
    }
}

extension Google_Protobuf_Any {
    private static let typeURLPrefix = "type.googleapis.com/"

    /// Wraps a message with the type URL Google's APIs use.
    public init(packing message: any ProtobufMessage) {
        self.init()
        typeUrl = Self.typeURLPrefix + type(of: message).protoMessageName
        value = message.serializedBytes()
    }

    /// The wrapped message if it is of type `Message`.
    public func unpack<Message: ProtobufMessage>(_ type: Message.Type) -> Message? {
        guard typeUrl.hasSuffix("/" + Message.protoMessageName) || typeUrl == Message.protoMessageName else {
            return nil
        }
        return try? Message(serializedBytes: value)
    }
}
