public import IsidAuth
import IsidSync
import NIOCore
import ProtoJSON
public import RPCCore

/// Follows one service's change stream (its watch RPC, through the service's pool) so that the gateway
/// knows, without asking the service, whether anything it serves has changed: the stream's revision token
/// moves with every commit. While the stream is down the follower knows nothing, and no answer of that
/// service is taken as unchanged.
public final class RevisionFollower: Sendable {
    /// Where the service stood: the stream's connection (each reconnection is a new one, so a restart of
    /// the service, which may bring a new catalogue, invalidates what was seen before) and its token.
    public struct Position: Hashable, Sendable {
        public let connection: UInt64
        public let token: String

        public init(connection: UInt64, token: String) {
            self.connection = connection
            self.token = token
        }
    }

    /// How to watch a service: the watch method, the field of its responses that holds the revision token,
    /// and a request asking for changes from now on.
    public struct Watch: Sendable {
        public let method: RPCCore.MethodDescriptor
        public let tokenField: Int32

        public init(method: RPCCore.MethodDescriptor, tokenField: Int32) {
            self.method = method
            self.tokenField = tokenField
        }
    }

    public let service: String
    let watch: Watch
    let client: RPCClient
    let signer: GatewayIdentitySigner
    private let state = Lock<(connection: UInt64, token: String?)>((0, nil))

    public init(service: String, watch: Watch, client: RPCClient, signer: GatewayIdentitySigner) {
        self.service = service
        self.watch = watch
        self.client = client
        self.signer = signer
    }

    /// The service's position now; nil while the stream is not open.
    public var position: Position? {
        state.withLock { state in state.token.map { Position(connection: state.connection, token: $0) } }
    }

    /// Follows the stream until cancelled, opening it again (after a growing pause, at most 2 s) whenever
    /// it ends.
    public func run() async {
        var pause = Duration.milliseconds(250)
        while !Task.isCancelled {
            state.withLock { $0 = ($0.connection &+ 1, nil) }
            let sawMessage = await follow()
            state.withLock { $0.token = nil }
            pause = sawMessage ? .milliseconds(250) : min(pause * 2, .seconds(2))
            try? await Task.sleep(for: pause)
        }
    }

    /// One stream, until it ends; whether it delivered anything.
    private func follow() async -> Bool {
        var metadata = Metadata()
        // The gateway's own read of the service's changes, signed like a caller's.
        let identity = Identity(
            subject: "gateway:revalidation",
            scopes: GatewayMethod(watch.method).map { [$0.scope] } ?? [],
            source: .gateway
        )
        signer.sign(identity, method: watch.method, into: &metadata)
        var delivered = false
        do {
            try await client.serverStreaming(
                watch.method,
                request: PassthroughMessage(bytes: ByteBuffer()),
                metadata: metadata,
                responseType: PassthroughMessage.self
            ) { responses in
                for try await message in responses {
                    guard let token = try WireFieldLookup.string(watch.tokenField, in: message.bytes.readableBytesView)
                    else { continue }
                    delivered = true
                    state.withLock { $0.token = token }
                }
            }
        } catch {
            // The stream ended (the service stopped, drained, or refused): the next one starts afresh.
        }
        return delivered
    }
}
