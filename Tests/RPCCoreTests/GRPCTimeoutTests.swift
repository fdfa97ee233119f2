import RPCCore
import Testing

@Suite("grpc-timeout header")
struct GRPCTimeoutTests {
    @Test(
        "every unit parses to nanoseconds",
        arguments: [
            ("1H", Int64(3_600_000_000_000)), ("2M", 120_000_000_000), ("3S", 3_000_000_000),
            ("4m", 4_000_000), ("5u", 5_000), ("6n", 6), ("99999999n", 99_999_999),
        ]
    )
    func parse(header: String, nanoseconds: Int64) {
        #expect(GRPCTimeout.parse(Array(header.utf8)) == nanoseconds)
    }

    @Test("malformed values are refused", arguments: ["", "S", "10", "1x", "-1S", "123456789S", "1.5S", " 1S"])
    func malformed(header: String) {
        #expect(GRPCTimeout.parse(Array(header.utf8)) == nil)
    }

    @Test("the largest value saturates instead of overflowing")
    func saturates() {
        #expect(GRPCTimeout.parse(Array("99999999H".utf8)) == Int64.max)
    }

    @Test(
        "formatting picks the finest unit with at most eight digits, rounding up",
        arguments: [
            (Int64(0), "0n"), (1, "1n"), (99_999_999, "99999999n"), (100_000_000, "100000u"),
            (1_500_000_001, "1500001u"), (120_000_000_000, "120000m"), (100_000_000_000_000, "100000S"),
        ]
    )
    func format(nanoseconds: Int64, header: String) {
        #expect(GRPCTimeout.format(nanoseconds: nanoseconds) == header)
    }
}
