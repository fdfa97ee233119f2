import RPCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte comparisons for the header names gRPC gives meaning to; headers stay bytes on the hot path
/// (a `String` per header made pre-1.0 swift-nio-http2 slow).
extension UnsafeRawBufferPointer {
    func equals(_ literal: StaticString) -> Bool {
        count == literal.utf8CodeUnitCount && hasPrefix(literal)
    }

    func hasPrefix(_ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard count >= length else { return false }
        guard length > 0, let base = baseAddress else { return true }
        // memcmp: the generic `elementsEqual` over slices was 1.3% of a unary call's CPU.
        return memcmp(base, literal.utf8Start, length) == 0
    }

    /// Whether these bytes are exactly `other`'s UTF-8.
    func equals(_ other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        guard let base = baseAddress else { return true }
        return other.withUnsafeBytes { memcmp(base, $0.baseAddress!, count) == 0 }
    }

    var string: String { String(decoding: self, as: UTF8.self) }
}

/// Whether a metadata entry may be sent as a header: a lower-case token name, and for text values
/// only visible ASCII and spaces (RFC 9113 §8.2.1 and gRPC's ASCII-Value).
func isSendableMetadata(_ entry: Metadata.Entry) -> Bool {
    guard !entry.key.isEmpty, entry.key.utf8.first != UInt8(ascii: ":") else { return false }
    let validName = entry.key.utf8.allSatisfy { byte in
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }
    guard validName else { return false }
    if case .string(let text) = entry.value {
        return text.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E }
    }
    return true
}

extension HeaderList {
    /// Adds user metadata, binary values base64-encoded without padding as gRPC emits them.
    mutating func add(metadata: Metadata) {
        for entry in metadata where isSendableMetadata(entry) {
            switch entry.value {
            case .string(let text): add(entry.key, text)
            case .binary(let bytes): add(entry.key, Base64.encode(bytes, padded: false))
            }
        }
    }

    /// Adds `grpc-status`, `grpc-message` and trailing metadata.
    mutating func add(status: Status, trailers: Metadata) {
        add("grpc-status", String(status.code.rawValue))
        if !status.message.isEmpty {
            add("grpc-message", PercentEncoding.encode(status.message))
        }
        add(metadata: trailers)
    }
}

/// Reads metadata entries from received headers, leaving out what HTTP/2 and gRPC reserve.
struct MetadataReader {
    private(set) var metadata = Metadata()

    /// Adds a header unless it is reserved; a `-bin` value that is not base64 is dropped.
    mutating func add(name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        if name.first == UInt8(ascii: ":") || name.equals("content-type") || name.equals("te")
            || name.equals("content-length") || name.equals("connection") || name.equals("host")
            || name.equals("grpc-timeout") || name.equals("grpc-encoding") || name.equals("grpc-accept-encoding")
            || name.equals("grpc-status") || name.equals("grpc-message")
        {
            return
        }
        let key = name.string
        if name.count > 4, name.hasSuffixBin {
            // A -bin header may carry several comma-separated values.
            for part in value.split(separator: UInt8(ascii: ",")) {
                let trimmed = part.drop { $0 == UInt8(ascii: " ") }
                if let bytes = Base64.decode(Array(trimmed)) { metadata.add(key, binary: bytes) }
            }
        } else {
            metadata.add(key, value.string)
        }
    }
}

extension UnsafeRawBufferPointer {
    fileprivate var hasSuffixBin: Bool {
        count >= 4 && self[count - 4] == UInt8(ascii: "-") && self[count - 3] == UInt8(ascii: "b")
            && self[count - 2] == UInt8(ascii: "i") && self[count - 1] == UInt8(ascii: "n")
    }
}
