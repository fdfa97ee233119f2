/// Bytes that are not a valid encoding of the expected message.
public struct ProtobufDecodingError: Error, Hashable, CustomStringConvertible {
    /// What was wrong, as a closed set of reasons that can grow without breaking `switch`es (it's a struct).
    public struct Reason: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case malformedWireData
            case invalidUTF8
        }

        private let base: Base

        /// protobuf-c rejected the bytes: truncated varint or field, bad wire type, length beyond the end, ...
        public static let malformedWireData = Reason(base: .malformedWireData)

        /// A `string` field is not valid UTF-8 (proto3 requires it to be).
        public static let invalidUTF8 = Reason(base: .invalidUTF8)

        public var description: String {
            switch base {
            case .malformedWireData: "malformed wire data"
            case .invalidUTF8: "invalid UTF-8 in a string field"
            }
        }
    }

    /// Why decoding failed.
    public var reason: Reason

    /// The fully-qualified name of the message being decoded.
    public var messageName: String

    public init(reason: Reason, messageName: String) {
        self.reason = reason
        self.messageName = messageName
    }

    public var description: String {
        "cannot decode \(messageName): \(reason)"
    }
}
