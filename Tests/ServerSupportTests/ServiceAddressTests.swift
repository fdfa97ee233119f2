import ServerSupport
import Testing

@Suite("Addresses of services a server calls")
struct ServiceAddressTests {
    @Test("host and port are split at the last colon")
    func parses() throws {
        let address = try #require(ServiceAddress("programme-service.isid.svc.cluster.local:50051"))
        #expect(address.host == "programme-service.isid.svc.cluster.local")
        #expect(address.port == 50051)
        #expect(address.description == "programme-service.isid.svc.cluster.local:50051")
    }

    @Test(
        "no host, no port, or a port out of range is not an address",
        arguments: ["", ":50051", "host", "host:0", "host:65536", "host:x"]
    )
    func refuses(text: String) {
        #expect(ServiceAddress(text) == nil)
    }
}
