import NIOCore
import RPCCore

/// Framed messages a stream has queued for nghttp2 to pull as DATA, and the writer waiting for room.
///
/// nghttp2 copies bodies lazily, through the data provider's read callback, so the stream owns the
/// bytes until then. A writer that pushes the queue past its high-water mark waits until the peer has
/// taken it back below half of that.
struct OutboundQueue {
    let highWaterMark: Int
    private var messages = CompactQueue<ByteBuffer>()
    private(set) var queuedBytes = 0
    private var writer: StreamContinuation<Result<Void, RPCError>>?

    init(highWaterMark: Int) {
        self.highWaterMark = highWaterMark
    }

    var isEmpty: Bool { messages.isEmpty }
    var isOverHighWaterMark: Bool { queuedBytes > highWaterMark }

    mutating func append(_ message: ByteBuffer) {
        messages.append(message)
        queuedBytes += message.readableBytes
    }

    /// Copies as many queued bytes as fit into `buffer`; returns how many, and releases a waiting
    /// writer once the queue has drained enough.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        var written = 0
        while written < buffer.count, var head = messages.first {
            let count = min(head.readableBytes, buffer.count - written)
            head.withUnsafeReadableBytes { bytes in
                UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + count)])
                    .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
            }
            written += count
            head.moveReaderIndex(forwardBy: count)
            if head.readableBytes == 0 {
                _ = messages.popFirst()
            } else {
                messages.replaceFirst(with: head)
            }
        }
        queuedBytes -= written
        if queuedBytes <= highWaterMark / 2, let writer {
            self.writer = nil
            writer.resume(returning: .success(()))
        }
        return written
    }

    /// Parks the writer until the queue drains (or the stream ends).
    mutating func wait(_ continuation: StreamContinuation<Result<Void, RPCError>>) {
        writer = continuation
    }

    /// Drops everything queued and fails a waiting writer; the error is made only if one waits.
    mutating func fail(_ error: @autoclosure () -> RPCError) {
        messages.removeAll()
        queuedBytes = 0
        if let writer {
            self.writer = nil
            writer.resume(returning: .failure(error()))
        }
    }
}
