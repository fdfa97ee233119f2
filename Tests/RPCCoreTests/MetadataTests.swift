import RPCCore
import Testing

@Suite("Metadata")
struct MetadataTests {
    @Test("keys are lower-cased and keep their order, repeated keys included")
    func order() {
        var metadata = Metadata()
        metadata.add("X-One", "1")
        metadata.add("x-two", "2")
        metadata.add("X-ONE", "3")
        #expect(metadata.map(\.key) == ["x-one", "x-two", "x-one"])
        #expect(metadata["x-one"] == [.string("1"), .string("3")])
        #expect(metadata.first("X-One") == "1")
    }

    @Test("a -bin key stores bytes, even when given as text")
    func binary() {
        let metadata: Metadata = ["trace-bin": .binary([1, 2, 3]), "text-bin": "abc"]
        #expect(metadata.firstBinary("trace-bin") == [1, 2, 3])
        #expect(metadata.firstBinary("text-bin") == Array("abc".utf8))
        #expect(metadata.first("trace-bin") == nil)
    }

    @Test("replace removes every earlier value of the key")
    func replace() {
        var metadata: Metadata = ["a": "1", "a": "2", "b": "3"]
        metadata.replace("a", "9")
        #expect(metadata["a"] == [.string("9")])
        #expect(metadata.count == 2)
    }
}
