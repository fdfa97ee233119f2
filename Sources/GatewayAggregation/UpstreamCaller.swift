import GatewayKit
import IsidAuth
import NIOCore
import RPCCore

/// Makes one part's calls on behalf of a caller, as the gateway forwards a call: the method must be routed
/// and within the caller's scopes (or an anonymous read where those are allowed), the call carries the caller's
/// signed identity, and every call of the part shares one deadline.
struct UpstreamCaller: Sendable {
    let proxy: GatewayProxy
    let identity: Identity?
    let deadline: NIODeadline

    func unary<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor,
        _ request: Request,
        _ response: Response.Type = Response.self
    ) async throws(RPCError) -> Response {
        guard let routed = proxy.method(forPath: method.path), let pool = proxy.pools[method.service] else {
            throw RPCError(code: .unavailable, message: "\(method.service) is not routed by this gateway")
        }
        try proxy.authorize(routed, identity)
        var metadata = Metadata()
        if let identity { proxy.signer.sign(identity, method: method, into: &metadata) }
        let remaining = deadline - .now()
        guard remaining > .zero else {
            throw RPCError(code: .deadlineExceeded, message: "the part's deadline passed before \(method) was called")
        }
        do {
            return try await pool.client.unary(
                method,
                request: request,
                metadata: metadata,
                options: CallOptions(timeout: .nanoseconds(remaining.nanoseconds)),
                responseType: Response.self
            ).message
        } catch {
            throw RPCError(from: error)
        }
    }
}

/// The outcome of a part's calls: what came back, and the first failure (or OK).
struct PartOutcome<Value: Sendable>: Sendable {
    var value: Value
    var failure: RPCError?

    /// Records `error` unless an earlier one is already recorded.
    mutating func fail(_ error: RPCError) {
        if failure == nil { failure = error }
    }
}
