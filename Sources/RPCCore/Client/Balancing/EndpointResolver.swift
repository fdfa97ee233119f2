/// Turns a pool's target into the endpoints to send to. Asked again periodically, so a DNS name's answer
/// follows replicas as they come and go.
public protocol EndpointResolver: Sendable {
    func resolve() async throws -> [EndpointAddress]
}

/// A fixed list of endpoints.
public struct StaticEndpointResolver: EndpointResolver {
    public let addresses: [EndpointAddress]

    public init(_ addresses: [EndpointAddress]) { self.addresses = addresses }

    public func resolve() async throws -> [EndpointAddress] { addresses }
}

/// A transport to one endpoint that its balancer closes once the endpoint is gone.
public protocol EndpointTransport: ClientTransport {
    /// Closes the connection; calls still in flight end with UNAVAILABLE.
    func close() async
}
