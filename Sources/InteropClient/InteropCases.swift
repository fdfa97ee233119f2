import ProtobufRuntime
import RPCCore
import StandardProtos

/// Each case as doc/interop-test-descriptions.md describes the client's procedure and assertions.
enum InteropCases {
    typealias Client = Grpc_Testing_TestService.Client

    static func emptyUnary(_ client: Client) async throws {
        let response = try await client.emptyCall(Grpc_Testing_Empty())
        try expect(response == Grpc_Testing_Empty(), "EmptyCall returned a non-empty message")
    }

    static func largeUnary(_ client: Client) async throws {
        let response = try await client.unaryCall(largeRequest())
        try expectLargeResponse(response)
    }

    static func clientCompressedUnary(_ client: Client) async throws {
        // Probe: a server that checks compression must refuse an uncompressed message claiming to be.
        var probe = largeRequest()
        probe.expectCompressed = .with { $0.value = true }
        try await expectStatus(.invalidArgument) { _ = try await client.unaryCall(probe) }

        let compressed = try await client.unaryCall(probe, options: CallOptions(compression: .gzip))
        try expectLargeResponse(compressed)

        var plain = largeRequest()
        plain.expectCompressed = .with { $0.value = false }
        try expectLargeResponse(try await client.unaryCall(plain))
    }

    static func serverCompressedUnary(_ client: Client) async throws {
        for compressed in [true, false] {
            var request = largeRequest()
            request.responseCompressed = .with { $0.value = compressed }
            try expectLargeResponse(try await client.unaryCall(request))
        }
    }

    static func clientStreaming(_ client: Client) async throws {
        let response = try await client.streamingInputCall { requests in
            for size in [27182, 8, 1828, 45904] {
                try await requests.write(.with { $0.payload = payload(size) })
            }
        }
        try expect(
            response.aggregatedPayloadSize == 74922,
            "aggregated size \(response.aggregatedPayloadSize) != 74922"
        )
    }

    static func serverStreaming(_ client: Client) async throws {
        let sizes = [31415, 9, 2653, 58979]
        let request = Grpc_Testing_StreamingOutputCallRequest.with {
            $0.responseParameters = sizes.map { size in .with { $0.size = Int32(size) } }
        }
        let received = try await client.streamingOutputCall(request) { responses in
            var received: [Int] = []
            for try await response in responses { received.append(response.payload?.body.count ?? -1) }
            return received
        }
        try expect(received == sizes, "received sizes \(received) != \(sizes)")
    }

    static func pingPong(_ client: Client) async throws {
        let exchanges = [(31415, 27182), (9, 8), (2653, 1828), (58979, 45904)]
        try await client.fullDuplexCall { requests, responses in
            var iterator = responses.makeAsyncIterator()
            for (responseSize, payloadSize) in exchanges {
                try await requests.write(streamingRequest(responseSize: responseSize, payloadSize: payloadSize))
                let response = try await iterator.next()
                try expect(response?.payload?.body.count == responseSize, "expected a \(responseSize)-byte response")
            }
            requests.close()
            try expect(try await iterator.next() == nil, "expected the stream to end after the last response")
        }
    }

    static func emptyStream(_ client: Client) async throws {
        try await client.fullDuplexCall { requests, responses in
            requests.close()
            var iterator = responses.makeAsyncIterator()
            try expect(try await iterator.next() == nil, "expected no responses")
        }
    }

    static func timeoutOnSleepingServer(_ client: Client) async throws {
        try await expectStatus(.deadlineExceeded) {
            try await client.fullDuplexCall(options: CallOptions(timeout: .milliseconds(1))) { requests, responses in
                try? await requests.write(.with { $0.payload = payload(27182) })
                for try await _ in responses {}
            }
        }
    }

    static func cancelAfterBegin(_ client: Client) async throws {
        let call = Task {
            try await client.streamingInputCall { _ in
                try await Task.sleep(for: .seconds(30))
            }
        }
        try await Task.sleep(for: .milliseconds(50))
        call.cancel()
        try await expectStatus(.cancelled) { _ = try await call.value }
    }

    static func cancelAfterFirstResponse(_ client: Client) async throws {
        let (firstResponse, firstResponseSignal) = AsyncStream.makeStream(of: Void.self)
        let call = Task {
            try await client.fullDuplexCall { requests, responses in
                try await requests.write(streamingRequest(responseSize: 31415, payloadSize: 27182))
                var iterator = responses.makeAsyncIterator()
                _ = try await iterator.next()
                firstResponseSignal.yield()
                _ = try await iterator.next()  // waits until cancelled
            }
        }
        for await _ in firstResponse { break }
        call.cancel()
        try await expectStatus(.cancelled) { try await call.value }
    }

    static func customMetadata(_ client: Client) async throws {
        let trailingValue: [UInt8] = [0xab, 0xab, 0xab]
        let metadata: Metadata = [
            "x-grpc-test-echo-initial": "test_initial_metadata_value",
            "x-grpc-test-echo-trailing-bin": .binary(trailingValue),
        ]
        let unary = try await client.rpc.unary(
            Grpc_Testing_TestService.Method.unaryCall,
            request: largeRequest(),
            metadata: metadata,
            responseType: Grpc_Testing_SimpleResponse.self
        )
        try expectEchoed(initial: unary.initialMetadata, trailing: unary.trailingMetadata, trailingValue: trailingValue)

        try await client.fullDuplexCall(metadata: metadata) { requests, responses in
            try await requests.write(streamingRequest(responseSize: 314159, payloadSize: 271828))
            requests.close()
            for try await _ in responses {}
            try expectEchoed(
                initial: try await responses.initialMetadata(),
                trailing: await responses.trailingMetadata(),
                trailingValue: trailingValue
            )
        }
    }

    static func statusCodeAndMessage(_ client: Client) async throws {
        try await expectEchoedStatus(client, message: "test status message")
    }

    static func specialStatusMessage(_ client: Client) async throws {
        try await expectEchoedStatus(client, message: "\t\ntest with whitespace\r\nand Unicode BMP ☺ and non-BMP 😈\t\n")
    }

    static func unimplementedMethod(_ client: Client) async throws {
        try await expectStatus(.unimplemented) { _ = try await client.unimplementedCall(Grpc_Testing_Empty()) }
    }

    static func unimplementedService(_ client: Grpc_Testing_UnimplementedService.Client) async throws {
        try await expectStatus(.unimplemented) { _ = try await client.unimplementedCall(Grpc_Testing_Empty()) }
    }

    // MARK: Helpers

    private static func largeRequest() -> Grpc_Testing_SimpleRequest {
        .with {
            $0.responseType = .compressable
            $0.responseSize = 314159
            $0.payload = payload(271828)
        }
    }

    private static func expectLargeResponse(_ response: Grpc_Testing_SimpleResponse) throws {
        try expect(response.payload?.body.count == 314159, "expected a 314159-byte payload")
        try expect(response.payload?.body.allSatisfy { $0 == 0 } == true, "expected a payload of zeros")
    }

    private static func expectEchoed(initial: Metadata, trailing: Metadata, trailingValue: [UInt8]) throws {
        try expect(
            initial.first("x-grpc-test-echo-initial") == "test_initial_metadata_value",
            "initial metadata not echoed: \(initial)"
        )
        try expect(
            trailing.firstBinary("x-grpc-test-echo-trailing-bin") == trailingValue,
            "trailing metadata not echoed: \(trailing)"
        )
    }

    /// Asks for status UNKNOWN with `message` on a unary and a bidirectional call; both must echo it.
    private static func expectEchoedStatus(_ client: Client, message: String) async throws {
        let status = Grpc_Testing_EchoStatus.with {
            $0.code = 2
            $0.message = message
        }
        try await expectStatus(.unknown, message: message) {
            _ = try await client.unaryCall(.with { $0.responseStatus = status })
        }
        try await expectStatus(.unknown, message: message) {
            try await client.fullDuplexCall { requests, responses in
                try await requests.write(.with { $0.responseStatus = status })
                requests.close()
                for try await _ in responses {}
            }
        }
    }
}
