public import Logging
public import NIOCore
public import NIOPosix
public import RPCCore

extension BalancedTransport {
    /// A balanced transport over HTTP/2 channels to the endpoints of `target`: a fixed list, or a DNS name
    /// resolved again every `configuration.resolveInterval`. Each endpoint has a connection per event loop
    /// (``LoopAffineChannel``), so a call made from a server handler stays on its thread.
    ///
    /// - Parameters:
    ///   - channel: settings for every endpoint's channel; host and port are the endpoint's. Its reconnect
    ///     backoff is capped at the ejection period, so an endpoint back from an outage is used again soon.
    ///   - probe: the active health check (``GRPCHealthProbe`` in RPCStandardServices); nil for none.
    public static func http2(
        target: EndpointTarget,
        configuration: Configuration = Configuration(),
        channel: ClientConfiguration = ClientConfiguration(host: "", port: 0),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "isid.rpc.client"),
        probe: HealthProbe? = nil,
        onEvent: @escaping @Sendable (Event) -> Void = { _ in }
    ) -> BalancedTransport {
        let resolver: any EndpointResolver
        switch target {
        case .addresses(let addresses): resolver = StaticEndpointResolver(addresses)
        case .dns(let host, let port): resolver = DNSEndpointResolver(host: host, port: port)
        }
        var template = channel
        template.backoff.maximum = min(template.backoff.maximum, configuration.policy.baseEjection)
        template.backoff.initial = min(template.backoff.initial, template.backoff.maximum)
        let settingsTemplate = template
        return BalancedTransport(
            target: target.description,
            resolver: resolver,
            configuration: configuration,
            connect: { address in
                var settings = settingsTemplate
                settings.host = address.host
                settings.port = address.port
                return LoopAffineChannel(configuration: settings, group: group, logger: logger)
            },
            probe: probe,
            onEvent: onEvent
        )
    }
}
