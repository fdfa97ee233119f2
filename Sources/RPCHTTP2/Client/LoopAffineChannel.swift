public import Logging
public import NIOCore
import NIOPosix
public import RPCCore

/// One endpoint's channels, one per event loop of the group: a call opened on an event loop's thread (a server
/// handler's, in a proxy or a service calling another) goes out on that loop's connection, so the call's
/// steps run where its caller runs, with no hop between threads. Calls from elsewhere use the first loop's.
public final class LoopAffineChannel: EndpointTransport, Sendable {
    private let channels: [(loop: any EventLoop, channel: GRPCChannel)]

    public init(configuration: ClientConfiguration, group: any EventLoopGroup, logger: Logger) {
        var channels: [(any EventLoop, GRPCChannel)] = []
        for loop in group.makeIterator() {
            channels.append((loop, GRPCChannel(configuration: configuration, group: loop, logger: logger)))
        }
        self.channels = channels
    }

    public func openCall(
        _ method: MethodDescriptor,
        metadata: Metadata,
        deadline: NIODeadline?,
        options: CallOptions
    ) async throws(RPCError) -> any ClientCallStream {
        try await channel().openCall(method, metadata: metadata, deadline: deadline, options: options)
    }

    public func close() async {
        for (_, channel) in channels { await channel.close() }
    }

    private func channel() -> GRPCChannel {
        if channels.count > 1, let current = MultiThreadedEventLoopGroup.currentEventLoop {
            for (loop, channel) in channels where loop === current { return channel }
        }
        return channels[0].channel
    }
}
