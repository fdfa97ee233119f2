import Foundation
import RPCErrorDetails

/// List page tokens: the last id of the page and a digest of the filters, so a token is a keyset position
/// (a page costs what it returns) and a token used with other filters is refused, not misread.
enum PageToken {
    static func make(lastID: String, filter: ProgrammeFilter) -> String {
        "p1.\(digest(filter)).\(lastID)"
    }

    /// The id to continue after; nil for the first page. A token this service did not issue for these filters
    /// is a violation of `field`.
    static func lastID(
        _ token: String,
        filter: ProgrammeFilter,
        field: String,
        violations: inout FieldViolations
    ) -> String? {
        guard !token.isEmpty else { return nil }
        let parts = token.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "p1", !parts[2].isEmpty else {
            violations.add(field, "not a page token this service issued")
            return nil
        }
        guard parts[1] == digest(filter) else {
            violations.add(field, "the token belongs to a list with other filters")
            return nil
        }
        return parts[2]
    }

    /// FNV-1a over the filter's fields, in hex: stable across processes (Swift's Hasher is not).
    private static func digest(_ filter: ProgrammeFilter) -> String {
        let text = [
            filter.country ?? "", filter.kind?.rawValue ?? "", filter.status?.rawValue ?? "", filter.partner ?? "",
            filter.partnerType?.rawValue ?? "", filter.sdg ?? "", filter.titleWords.joined(separator: " "),
            filter.parentID ?? "",
        ].joined(separator: "\u{1F}")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
