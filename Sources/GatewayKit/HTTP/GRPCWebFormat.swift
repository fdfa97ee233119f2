public import NIOCore
public import RPCCore

/// gRPC-Web as gRPC's PROTOCOL-WEB.md defines it: the gRPC message framing in an HTTP/1.1 (or HTTP/2) body,
/// the trailers as a last frame flagged 0x80 holding HTTP/1-style header lines, and in the `-text` variant the
/// whole body base64-encoded (each chunk on its own, so it may hold padding midway).
public enum GRPCWebFormat {
    /// Whether `contentType` is gRPC-Web, and if so whether the text (base64) variant.
    public static func kind(ofContentType contentType: String) -> (isGRPCWeb: Bool, isText: Bool) {
        let type = contentType.prefix { $0 != ";" }.lowercased()
        switch type {
        case "application/grpc-web", "application/grpc-web+proto": return (true, false)
        case "application/grpc-web-text", "application/grpc-web-text+proto": return (true, true)
        default: return (false, false)
        }
    }

    /// Decodes a `-text` body: base64 quanta of four characters, a quantum with padding ending one chunk.
    public static func decodeText(_ body: ByteBuffer) -> ByteBuffer? {
        var output = ByteBuffer()
        output.reserveCapacity(body.readableBytes / 4 * 3)
        var quantum: [UInt8] = []
        quantum.reserveCapacity(4)
        for byte in body.readableBytesView where !(byte == 13 || byte == 10 || byte == 32) {
            quantum.append(byte)
            if quantum.count == 4 {
                guard let decoded = Base64.decode(quantum) else { return nil }
                output.writeBytes(decoded)
                quantum.removeAll(keepingCapacity: true)
            }
        }
        if !quantum.isEmpty {
            guard let decoded = Base64.decode(quantum) else { return nil }
            output.writeBytes(decoded)
        }
        return output
    }

    /// Encodes one chunk of a `-text` response.
    public static func encodeText(_ chunk: ByteBuffer) -> ByteBuffer {
        ByteBuffer(string: Base64.encode(chunk.readableBytesView, padded: true))
    }

    /// The trailers frame: `grpc-status`, `grpc-message` (percent-encoded) and the trailers, as header lines.
    public static func trailersFrame(status: Status, trailers: Metadata) -> ByteBuffer {
        var text = "grpc-status: \(status.code.rawValue)\r\n"
        if !status.message.isEmpty { text += "grpc-message: \(PercentEncoding.encode(status.message))\r\n" }
        for entry in trailers {
            switch entry.value {
            case .string(let value): text += "\(entry.key): \(value)\r\n"
            case .binary(let bytes): text += "\(entry.key): \(Base64.encode(bytes, padded: true))\r\n"
            }
        }
        var frame = ByteBuffer()
        frame.writeInteger(UInt8(0x80))
        frame.writeInteger(UInt32(text.utf8.count))
        frame.writeString(text)
        return frame
    }
}
