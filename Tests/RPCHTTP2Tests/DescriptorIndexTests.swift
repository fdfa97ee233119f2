import ProtobufRuntime
import RPCStandardServices
import StandardProtos
import Testing

/// The reflection service's index of descriptor files.
@Suite struct DescriptorIndexTests {
    @Test("a file given more than once (every module's filesWithImports repeats the standard ones) counts once")
    func repeatedFilesCountOnce() throws {
        let index = DescriptorIndex(
            files: StandardProtosDescriptors.files + StandardProtosDescriptors.files,
            serviceNames: []
        )
        // google/api/annotations.proto's google.api.http option.
        #expect(index.extensionNumbers(of: "google.protobuf.MethodOptions") == [72_295_728])
        let annotations = try #require(index.file(containingExtension: 72_295_728, of: "google.protobuf.MethodOptions"))
        #expect(annotations.name == "google/api/annotations.proto")
    }
}
