package import Logging
package import NIOCore
package import RPCCore

/// The handler that serves gRPC on one accepted connection, for pipelines other than ``GRPCServer``'s
/// (tests wire it to a client in memory).
package func makeServerConnectionHandler(
    router: RPCRouter,
    configuration: ServerConfiguration,
    logger: Logger
) -> any ChannelHandler {
    ServerConnectionHandler(router: router, configuration: configuration, logger: logger)
}
