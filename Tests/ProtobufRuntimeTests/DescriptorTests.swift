import ProtobufRuntime
import StandardProtos
import Testing

@Suite("Descriptors for reflection")
struct DescriptorTests {
    @Test("StandardProtosDescriptors lists every standard .proto file once")
    func filesAreListed() {
        let names = StandardProtosDescriptors.files.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(names.contains("grpc/health/v1/health.proto"))
        #expect(names.contains("grpc/reflection/v1alpha/reflection.proto"))
        #expect(names.contains("google/protobuf/struct.proto"))
        #expect(names.contains("google/type/date.proto"))
        // Embedded for reflection and the JSON codec's HTTP rules; only http.proto gets Swift types.
        #expect(names.contains("google/api/annotations.proto"))
        #expect(names.contains("google/api/http.proto"))
        #expect(names.contains("google/protobuf/descriptor.proto"))
        #expect(names.count == 20)
    }

    @Test("a file's entry carries its package, imports and symbols, services and methods included")
    func healthEntry() throws {
        let health = try #require(StandardProtosDescriptors.files.first { $0.name == "grpc/health/v1/health.proto" })
        #expect(health.package == "grpc.health.v1")
        #expect(health.dependencies.isEmpty)
        #expect(health.extensions.isEmpty)
        #expect(
            health.symbols == [
                "grpc.health.v1.HealthCheckRequest",
                "grpc.health.v1.HealthCheckResponse",
                "grpc.health.v1.HealthCheckResponse.ServingStatus",
                "grpc.health.v1.Health",
                "grpc.health.v1.Health.Check",
                "grpc.health.v1.Health.Watch",
            ]
        )
        let status = try #require(StandardProtosDescriptors.files.first { $0.name == "google/rpc/status.proto" })
        #expect(status.dependencies == ["google/protobuf/any.proto"])
    }

    @Test(
        "serializedDescriptor is a FileDescriptorProto whose field 1 is the file name",
        arguments:
            StandardProtosDescriptors.files + ProtobufRuntimeTestsDescriptors.files
    )
    func serializedDescriptorStartsWithName(_ file: ProtoFileDescriptor) {
        let name = Array(file.name.utf8)
        // Tag of field 1 (length-delimited), a one-byte length (names are short), then the name.
        #expect(Array(file.serializedDescriptor.prefix(2 + name.count)) == [0x0A, UInt8(name.count)] + name)
    }

    @Test("filesWithImports adds the files of every module a module's protos import, so reflection can resolve them")
    func filesWithImportsCloseOverImports() {
        let names = Set(ProtobufRuntimeTestsDescriptors.filesWithImports.map(\.name))
        #expect(ProtobufRuntimeTestsDescriptors.files.map(\.name) == ["isid/testing/v1/kinds.proto"])
        for file in ProtobufRuntimeTestsDescriptors.files {
            #expect(names.isSuperset(of: file.dependencies))
        }
        #expect(names.contains("google/protobuf/wrappers.proto"))
        #expect(StandardProtosDescriptors.filesWithImports.map(\.name) == StandardProtosDescriptors.files.map(\.name))
    }

    @Test("descriptors of messages nested in messages are symbols too")
    func nestedSymbols() throws {
        let messages = try #require(StandardProtosDescriptors.files.first { $0.name == "grpc/testing/messages.proto" })
        #expect(messages.symbols.contains("grpc.testing.LoadBalancerStatsResponse.RpcsByPeer"))
        #expect(messages.symbols.contains("grpc.testing.ClientConfigureRequest.RpcType"))
    }
}
