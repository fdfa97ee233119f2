internal import CompressNIO
import NIOCore

/// A message compression algorithm gRPC negotiates with `grpc-encoding` and `grpc-accept-encoding`.
public struct MessageEncoding: Hashable, Sendable, CustomStringConvertible {
    private enum Algorithm: Hashable, Sendable {
        case identity, gzip, deflate
    }

    private let algorithm: Algorithm

    /// The name used in `grpc-encoding` headers.
    public var name: String {
        switch algorithm {
        case .identity: return "identity"
        case .gzip: return "gzip"
        case .deflate: return "deflate"
        }
    }

    public var description: String { name }

    public static let identity = MessageEncoding(algorithm: .identity)
    public static let gzip = MessageEncoding(algorithm: .gzip)
    public static let deflate = MessageEncoding(algorithm: .deflate)

    /// Every encoding this implementation can read, in preference order.
    public static let supported: [MessageEncoding] = [.gzip, .deflate, .identity]

    /// The `grpc-accept-encoding` value advertising ``supported``.
    public static let acceptEncodingHeader = supported.map(\.name).joined(separator: ",")

    /// Looks an encoding up by its header name; nil for one we do not support.
    public init?(name: some Collection<UInt8>) {
        if name.elementsEqual("gzip".utf8) {
            algorithm = .gzip
        } else if name.elementsEqual("identity".utf8) {
            algorithm = .identity
        } else if name.elementsEqual("deflate".utf8) {
            algorithm = .deflate
        } else {
            return nil
        }
    }

    private init(algorithm: Algorithm) { self.algorithm = algorithm }

    /// Parses a `grpc-accept-encoding` list, keeping the encodings we support.
    public static func parseAcceptList(_ header: String) -> [MessageEncoding] {
        header.split(separator: ",").compactMap {
            MessageEncoding(name: $0.utf8.drop { $0 == UInt8(ascii: " ") })
        }
    }

    private var compressNIOAlgorithm: CompressionAlgorithm? {
        switch algorithm {
        case .identity: return nil
        case .gzip: return .gzip()
        case .deflate: return .zlib()
        }
    }

    /// Compresses `input` onto the end of `output`.
    func compress(_ input: inout ByteBuffer, into output: inout ByteBuffer) throws(RPCError) {
        guard let compressNIOAlgorithm else {
            output.writeBuffer(&input)
            return
        }
        do {
            var compressed = try input.compress(with: compressNIOAlgorithm)
            output.writeBuffer(&compressed)
        } catch {
            throw RPCError(code: .internal, message: "Compressing a message with \(name) failed: \(error)")
        }
    }

    /// Decompresses one message, refusing to produce more than `limit` bytes (a decompression bomb is
    /// stopped at the limit, not after it has filled memory).
    func decompress(_ input: inout ByteBuffer, limit: Int) throws(RPCError) -> ByteBuffer {
        guard let compressNIOAlgorithm else { return input }
        do {
            return try input.decompress(with: compressNIOAlgorithm, maxSize: limit)
        } catch let error as CompressNIOError where error == .bufferOverflow {
            throw RPCError(
                code: .resourceExhausted,
                message: "Decompressed message is larger than the limit of \(limit) bytes."
            )
        } catch {
            throw RPCError(code: .internal, message: "Could not decompress a \(name) message: \(error)")
        }
    }
}
