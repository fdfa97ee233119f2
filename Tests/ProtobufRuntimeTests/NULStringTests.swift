import ProtobufRuntime
import StandardProtos
import Testing

@Suite("Strings protobuf-c cannot carry")
struct NULStringTests {
    @Test("encoding a string containing U+0000 traps instead of truncating it")
    func nulInStringTraps() async {
        await #expect(processExitsWith: .failure) {
            _ = Helloworld_HelloRequest.with { $0.name = "a\u{0}b" }.serializedBytes()
        }
    }
}
