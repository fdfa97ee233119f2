import IsidTestSupport
import RPCCore
import RPCHTTP2
import Synchronization
import Testing

@Suite("Flow control and backpressure", .timeLimit(.minutes(1)))
struct FlowControlTests {
    @Test("a server stream to a client that stops reading suspends the handler instead of buffering")
    func slowReaderSuspendsProducer() async throws {
        let messageSize = 256 * 1024
        let total = 64  // 16 MiB in all: more than every window and queue together
        let written = Atomic<Int>(0)
        let service = ClosureService().serverStreaming("Flood") { _, writer, _ in
            let payload = RawMessage([UInt8](repeating: 7, count: messageSize))
            for _ in 0..<total {
                try await writer.write(payload)
                written.add(1, ordering: .relaxed)
            }
        }
        try await withTestServer(services: [service]) { client, _ in
            let received = try await client.serverStreaming(
                ClosureService.method("Flood", kind: .serverStreaming),
                request: RawMessage(""),
                responseType: RawMessage.self
            ) { responses in
                var iterator = responses.makeAsyncIterator()
                _ = try await iterator.next()
                // Stop reading for a while: the producer must stall at the flow-control windows
                // (1 MiB per stream) plus the stream's queue, far below all 64 messages.
                try await Task.sleep(for: .milliseconds(300))
                let writtenWhilePaused = written.load(ordering: .relaxed)
                #expect(
                    writtenWhilePaused < total / 2,
                    "handler wrote \(writtenWhilePaused) messages while the client read none"
                )
                var count = 1
                while let message = try await iterator.next() {
                    #expect(message.bytes.count == messageSize)
                    count += 1
                }
                return count
            }
            #expect(received == total)
        }
    }

    @Test("a large message crosses many DATA frames and window updates intact")
    func largeMessage() async throws {
        let bytes = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try await withTestServer { client, _ in
            let response = try await client.unary(Echo.unary, request: RawMessage(bytes), responseType: RawMessage.self)
            #expect(response.message.bytes == bytes)
        }
    }

    @Test("many concurrent calls share one connection")
    func multiplexing() async throws {
        try await withTestServer { client, _ in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<200 {
                    group.addTask {
                        let text = "call \(index)"
                        let response = try await client.unary(
                            Echo.unary,
                            request: RawMessage(text),
                            responseType: RawMessage.self
                        )
                        return response.message.text == text
                    }
                }
                for try await matched in group { #expect(matched) }
            }
        }
    }
}
