package import NIOCore

/// Tells HTTP/2 from HTTP/1.1 on a port that serves both, by the connection's first bytes: HTTP/2 with prior
/// knowledge opens with the fixed preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n`; anything else is HTTP/1.1. Once
/// it knows, it puts the protocol's handlers in its place and hands them the bytes it held back.
package final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    package typealias InboundIn = ByteBuffer
    package typealias InboundOut = ByteBuffer

    private static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private let http2: any ChannelHandler
    private let http1: (any Channel) throws -> Void
    private var held: ByteBuffer?

    package init(http2: any ChannelHandler, http1: @escaping (any Channel) throws -> Void) {
        self.http2 = http2
        self.http1 = http1
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if var held {
            held.writeBuffer(&bytes)
            self.held = held
        } else {
            held = bytes
        }
        guard let held else { return }
        let seen = held.readableBytesView.prefix(Self.preface.count)
        guard seen.elementsEqual(Self.preface.prefix(seen.count)) else { return choose(http2: false, context) }
        if seen.count == Self.preface.count { choose(http2: true, context) }
    }

    /// A connection that has said nothing yet when the server drains has no call to finish.
    package func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ServerDrainEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    package func channelInactive(context: ChannelHandlerContext) {
        held = nil
        context.fireChannelInactive()
    }

    private func choose(http2 isHTTP2: Bool, _ context: ChannelHandlerContext) {
        do {
            if isHTTP2 {
                try context.pipeline.syncOperations.addHandler(http2, position: .after(self))
            } else {
                try http1(context.channel)
            }
        } catch {
            context.close(promise: nil)
            return
        }
        if let held {
            self.held = nil
            context.fireChannelRead(wrapInboundOut(held))
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
