/// Per-call settings a client chooses.
public struct CallOptions: Sendable {
    /// How long the client waits; sent as `grpc-timeout`. A deadline inherited from the handler that
    /// makes this call applies too, whichever is earlier.
    public var timeout: Duration?
    /// Compresses request messages with this encoding (`grpc-encoding`).
    public var compression: MessageEncoding?
    /// Largest response message accepted; larger ones fail the call with RESOURCE_EXHAUSTED.
    public var maxResponseMessageSize: Int

    public init(
        timeout: Duration? = nil,
        compression: MessageEncoding? = nil,
        maxResponseMessageSize: Int = 4 * 1024 * 1024
    ) {
        self.timeout = timeout
        self.compression = compression
        self.maxResponseMessageSize = maxResponseMessageSize
    }

    public static let defaults = CallOptions()
}
