public import RPCCore

/// Where the calls of one gRPC service go: a pool of endpoints behind the balanced channel.
public struct UpstreamPool: Sendable {
    /// The gRPC service, e.g. `isid.indicators.v1.IndicatorService`.
    public let service: String
    public let client: RPCClient

    public init(service: String, client: RPCClient) {
        self.service = service
        self.client = client
    }
}

/// `--route SERVICE=ENDPOINTS`: a gRPC service and the endpoint target its calls go to.
public struct RouteSpecification: Hashable, Sendable {
    public let service: String
    public let target: EndpointTarget

    /// Reads `isid.indicators.v1.IndicatorService=indicator-service:50051` (or a list, or `dns:///name:port`).
    public init?(_ text: String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex,
            let target = EndpointTarget(String(text[text.index(after: equals)...]))
        else { return nil }
        self.service = String(text[..<equals])
        self.target = target
    }
}
