import Logging
import NIOCore
public import NIOEmbedded
public import RPCCore
public import RPCHTTP2

/// A client and a server connection joined by an in-memory wire: real gRPC framing, real nghttp2 sessions
/// on both sides, no sockets. Both channels share one ``NIOAsyncTestingEventLoop``, a serial loop whose
/// clock only moves when told to, so nothing happens behind a test's back.
///
/// What one side writes reaches the other as a read on a later turn of the loop, and the loop keeps
/// turning while either side has something to do: each side's output is pumped into the other until
/// neither progresses.
public final class InMemoryHTTP2Pair: Sendable {
    public let loop: NIOAsyncTestingEventLoop
    let serverChannel: NIOAsyncTestingChannel
    let clientChannel: NIOAsyncTestingChannel
    private let serverWire: InMemoryWire
    private let clientWire: InMemoryWire
    /// Opens calls on the client side of the pair.
    public let transport: any ClientTransport

    /// Connects a server serving `services` to a client; both sides have sent their prefaces and
    /// SETTINGS when this returns.
    public init(
        services: [any RPCService],
        configuration: ServerConfiguration = ServerConfiguration(),
        clientConfiguration: ClientConfiguration = ClientConfiguration(host: "in-memory", port: 0)
    ) async throws {
        let loop = NIOAsyncTestingEventLoop()
        let server = NIOAsyncTestingChannel(loop: loop)
        let client = NIOAsyncTestingChannel(loop: loop)
        let router = RPCRouter(services: services)
        let logger = Logger(label: "isid.test.in-memory")
        let serverWire = InMemoryWire(prefaceLength: 0)
        // The client's connection preface ("PRI * HTTP/2.0...") precedes its first frame.
        let clientWire = InMemoryWire(prefaceLength: 24)
        let transport = try await loop.executeInContext { () throws -> HTTP2ClientConnection in
            serverWire.peer = client
            clientWire.peer = server
            try server.pipeline.syncOperations.addHandler(serverWire)
            try server.pipeline.syncOperations.addHandler(
                makeServerConnectionHandler(router: router, configuration: configuration, logger: logger)
            )
            try client.pipeline.syncOperations.addHandler(clientWire)
            return try HTTP2ClientConnection.add(to: client, configuration: clientConfiguration, logger: logger)
        }
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 0)
        try await server.connect(to: address).get()
        try await client.connect(to: address).get()
        await loop.run()
        self.loop = loop
        self.serverChannel = server
        self.clientChannel = client
        self.transport = transport
        self.serverWire = serverWire
        self.clientWire = clientWire
    }

    /// The headers of the frames the server has sent so far, in order.
    public func framesSentByServer() async throws -> [WireFrame] {
        try await loop.executeInContext { self.serverWire.log.frames }
    }

    /// The headers of the frames the client has sent so far, in order (after its preface).
    public func framesSentByClient() async throws -> [WireFrame] {
        try await loop.executeInContext { self.clientWire.log.frames }
    }

    /// Closes both ends; calls still running end with UNAVAILABLE on the client and CANCELLED on the server.
    public func close() async throws {
        try await clientChannel.close().get()
        await loop.run()
        // The wire has closed the server's end too, unless it was gone already.
        if serverChannel.isActive { try await serverChannel.close().get() }
        await loop.run()
    }
}

/// Runs `body` with a client whose calls reach `services` over an in-memory HTTP/2 pair, then closes it.
public func withInMemoryHTTP2Server<Result: Sendable>(
    services: [any RPCService] = [EchoService()],
    configuration: ServerConfiguration = ServerConfiguration(),
    _ body: (RPCClient, InMemoryHTTP2Pair) async throws -> Result
) async throws -> Result {
    let pair = try await InMemoryHTTP2Pair(services: services, configuration: configuration)
    do {
        let result = try await body(RPCClient(transport: pair.transport), pair)
        try await pair.close()
        return result
    } catch {
        try? await pair.close()
        throw error
    }
}

/// One end of the in-memory wire, first in its pipeline: bytes flushed by the connection handler above it
/// are fired into the peer's pipeline as a read and a read-complete on the next turn of the shared loop
/// (never re-entrantly, as a socket would not), and a close reaches the peer as the end of the connection.
///
/// `@unchecked Sendable` because it is created on the loop and used only there after that (asserted);
/// `NIOAsyncTestingChannel` needs its handlers to cross into the loop once, when they are added.
private final class InMemoryWire: ChannelOutboundHandler, @unchecked Sendable {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var peer: NIOAsyncTestingChannel?
    private var pending: [ByteBuffer] = []
    private(set) var log: FrameLog

    init(prefaceLength: Int) {
        log = FrameLog(skip: prefaceLength)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let bytes = unwrapOutboundIn(data)
        log.record(bytes)
        pending.append(bytes)
        promise?.succeed()
    }

    func flush(context: ChannelHandlerContext) {
        guard let peer, !pending.isEmpty else { return }
        let output = pending
        pending.removeAll()
        let loop = context.eventLoop
        // Delivered even before the peer is active: the side connected first has already written its
        // SETTINGS, as a socket would have buffered them.
        loop.execute {
            loop.assertInEventLoop()
            let pipeline = peer.pipeline.syncOperations
            for bytes in output { pipeline.fireChannelRead(NIOAny(bytes)) }
            pipeline.fireChannelReadComplete()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if let peer, peer.isActive {
            context.eventLoop.execute { peer.close(promise: nil) }
        }
        context.close(mode: mode, promise: promise)
    }
}

/// The 9-byte header of one HTTP/2 frame that crossed the in-memory wire (RFC 9113 §4.1).
public struct WireFrame: Sendable, Equatable, CustomStringConvertible {
    public static let data: UInt8 = 0x0
    public static let headers: UInt8 = 0x1
    public static let rstStream: UInt8 = 0x3
    public static let endStream: UInt8 = 0x1

    public var type: UInt8
    public var flags: UInt8
    public var streamID: UInt32

    public var endsStream: Bool { (type == Self.data || type == Self.headers) && flags & Self.endStream != 0 }

    public var description: String { "frame(type: \(type), flags: \(flags), stream: \(streamID))" }
}

/// Splits the bytes one side writes into frame headers, across writes that cut frames anywhere.
struct FrameLog {
    /// Bytes still to pass over: a preface, then each frame's payload.
    var skip: Int
    private var header: [UInt8] = []
    private(set) var frames: [WireFrame] = []

    init(skip: Int) {
        self.skip = skip
    }

    mutating func record(_ bytes: ByteBuffer) {
        var rest = bytes.readableBytesView[...]
        while !rest.isEmpty {
            if skip > 0 {
                let count = min(skip, rest.count)
                rest = rest.dropFirst(count)
                skip -= count
                continue
            }
            let missing = 9 - header.count
            header += rest.prefix(missing)
            rest = rest.dropFirst(missing)
            guard header.count == 9 else { return }
            let streamID = header[5...8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } & 0x7fff_ffff
            frames.append(WireFrame(type: header[3], flags: header[4], streamID: streamID))
            skip = Int(header[0]) << 16 | Int(header[1]) << 8 | Int(header[2])
            header.removeAll(keepingCapacity: true)
        }
    }
}
