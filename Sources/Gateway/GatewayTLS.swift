import NIOCore
import NIOSSL

/// The gateway's optional TLS: a certificate chain and key from PEM files, offering h2 and http/1.1 by ALPN.
/// The protocol is then told by the first decrypted bytes, as on a cleartext connection.
struct GatewayTLS: Sendable {
    let context: NIOSSLContext

    init(certificateFile: String, keyFile: String) throws {
        let chain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { NIOSSLCertificateSource.certificate($0) }
        let key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain,
            privateKey: .privateKey(key)
        )
        configuration.applicationProtocols = ["h2", "http/1.1"]
        configuration.minimumTLSVersion = .tlsv12
        context = try NIOSSLContext(configuration: configuration)
    }

    func addHandler(to channel: any Channel) throws {
        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
    }
}
