import NIOPosix
public import RPCCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves a DNS name to every address it has (A and AAAA), each an endpoint: behind a Kubernetes headless
/// service, one per ready replica. The lookup (getaddrinfo, which blocks) runs on NIO's thread pool.
public struct DNSEndpointResolver: EndpointResolver {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public func resolve() async throws -> [EndpointAddress] {
        let host = self.host
        let port = self.port
        return try await NIOThreadPool.singleton.runIfActive {
            try Self.lookUp(host: host, port: port)
        }
    }

    /// The addresses in the order getaddrinfo gives them, without repeats.
    static func lookUp(host: String, port: Int) throws -> [EndpointAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        let result = getaddrinfo(host, String(port), &hints, &list)
        guard result == 0 else {
            throw DNSResolutionError(host: host, reason: String(cString: gai_strerror(result)))
        }
        defer { freeaddrinfo(list) }
        var addresses: [EndpointAddress] = []
        var node = list
        while let info = node?.pointee {
            defer { node = info.ai_next }
            guard let socketAddress = info.ai_addr else { continue }
            var text = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard
                getnameinfo(
                    socketAddress,
                    info.ai_addrlen,
                    &text,
                    socklen_t(text.count),
                    nil,
                    0,
                    NI_NUMERICHOST
                ) == 0
            else { continue }
            let address = EndpointAddress(
                host: String(decoding: text.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self),
                port: port
            )
            if !addresses.contains(address) { addresses.append(address) }
        }
        return addresses
    }
}

public struct DNSResolutionError: Error, CustomStringConvertible {
    public let host: String
    public let reason: String
    public var description: String { "cannot resolve \(host): \(reason)" }
}

extension GRPCChannel: EndpointTransport {}
