/// Where the run of bytes a JSON string needs no escape for ends: eight bytes at a time (SWAR), since strings
/// are most of what the codec copies. Plain bytes are 0x20 and up except `"` and `\`; with `allowNonASCII`
/// false, bytes from 0x80 up end the run too (the parser checks their UTF-8 one sequence at a time).
@inline(__always)
func plainRunEnd(_ text: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, allowNonASCII: Bool) -> Int {
    guard let base = text.baseAddress else { return start }
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let highMask: UInt64 = allowNonASCII ? 0 : highs
    var index = start
    while end - index >= 8 {
        let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        // A zero byte in `quote` or `backslash`, a byte below 0x20 (for bytes below 0x80; bytes from 0x80 up
        // are not below 0x20), or a high bit where non-ASCII ends the run.
        let special =
            ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word)
        if (special & highs) | (word & highMask) != 0 { break }
        index += 8
    }
    while index < end {
        let byte = text[index]
        if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || (!allowNonASCII && byte >= 0x80) {
            break
        }
        index += 1
    }
    return index
}
