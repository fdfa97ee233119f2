import Foundation
import Logging
import ServerSupport
import Testing

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    private func object(_ line: [UInt8]) throws -> [String: String] {
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
        let parsed = try JSONSerialization.jsonObject(with: Data(line)) as? [String: String]
        return try #require(parsed)
    }

    @Test("a line is one JSON object: timestamp, level, label, message, then every metadata key")
    func fields() throws {
        var handler = JSONLogHandler(label: "gateway")
        handler[metadataKey: "server"] = "gateway"
        let line = handler.line(level: .info, message: "rpc", metadata: ["grpc_code": "OK", "duration_ms": "0.120"])
        let fields = try object(line)
        #expect(fields["level"] == "info" && fields["label"] == "gateway" && fields["message"] == "rpc")
        #expect(fields["server"] == "gateway" && fields["grpc_code"] == "OK" && fields["duration_ms"] == "0.120")
        let timestamp = try #require(fields["timestamp"])
        #expect(timestamp.count == 24 && timestamp.hasSuffix("Z"), "RFC 3339 with milliseconds: \(timestamp)")
    }

    @Test("metadata keys come in sorted order, so lines diff well")
    func sortedKeys() {
        let line = String(
            decoding: JSONLogHandler(label: "l").line(level: .info, message: "m", metadata: ["b": "2", "a": "1"]),
            as: UTF8.self
        )
        let a = line.range(of: "\"a\":")!.lowerBound
        let b = line.range(of: "\"b\":")!.lowerBound
        #expect(a < b)
    }

    @Test(
        "quotes, backslashes, control characters and non-ASCII text survive the round trip",
        arguments: ["quote \" backslash \\", "new\nline\ttab\rcr", "\u{01}\u{1f} control", "ünïcødé ✓ 😀", ""]
    )
    func escaping(text: String) throws {
        let fields = try object(
            JSONLogHandler(label: "l").line(level: .warning, message: "\(text)", metadata: ["path": "\(text)"])
        )
        #expect(fields["message"] == text && fields["path"] == text)
    }
}
