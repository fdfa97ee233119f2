#if canImport(Glibc)
import Glibc
#endif

/// New programme ids: "prg-" and 26 characters of Crockford base 32, the first ten the time in milliseconds,
/// so ids sort in the order programmes were created, the rest random.
enum ProgrammeIDs {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    static func make() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var milliseconds = UInt64(now.tv_sec) * 1000 + UInt64(now.tv_nsec / 1_000_000)
        var time: [Character] = []
        for _ in 0..<10 {
            time.append(alphabet[Int(milliseconds & 31)])
            milliseconds >>= 5
        }
        var generator = SystemRandomNumberGenerator()
        let random = (0..<16).map { _ in alphabet[Int(generator.next() & 31)] }
        return "prg-" + String(time.reversed()) + String(random)
    }

    /// Seconds since the Unix epoch.
    static func now() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec)
    }
}
