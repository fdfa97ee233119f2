#if canImport(Glibc)
import Glibc
#endif

/// New ids: a prefix naming the kind ("evt-", "pnl-", "par-"), then 26 characters of Crockford base 32, the
/// first ten the creation time in milliseconds (ids sort by creation), the rest random.
enum ParityIDs {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    static func make(_ prefix: String) -> String {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        var milliseconds = UInt64(clock.tv_sec) * 1000 + UInt64(clock.tv_nsec / 1_000_000)
        var time: [Character] = []
        for _ in 0..<10 {
            time.append(alphabet[Int(milliseconds & 31)])
            milliseconds >>= 5
        }
        var generator = SystemRandomNumberGenerator()
        let random = (0..<16).map { _ in alphabet[Int(generator.next() & 31)] }
        return prefix + "-" + String(time.reversed()) + String(random)
    }

    /// Seconds since the Unix epoch.
    static func now() -> Int64 {
        var clock = timespec()
        clock_gettime(CLOCK_REALTIME, &clock)
        return Int64(clock.tv_sec)
    }
}
