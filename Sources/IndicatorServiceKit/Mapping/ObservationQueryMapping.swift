import Foundation
import IndicatorsAPI

/// Turns a QueryObservationsRequest into an ObservationQuery, checking every field, and encodes page tokens.
///
/// A page token is base64url of "p1|<fingerprint of filters and order>|<series>|<area>|<year>": the key of the
/// last row returned. Keyset pagination means a page costs what it returns, and rows written between pages
/// neither shift nor repeat what follows. A token used with other filters is INVALID_ARGUMENT.
enum ObservationQueryMapping {
    static let defaultPageSize = 100
    static let maxPageSize = 1000

    static func query(
        from request: Isid_Indicators_V1_QueryObservationsRequest
    ) throws(IndicatorError)
        -> ObservationQuery
    {
        var violations: [ObservationRules.Violation] = []
        var query = ObservationQuery()
        query.seriesCodes = request.seriesCodes
        query.areaCodes = request.areaCodes
        query.groupCode = request.groupCode.isEmpty ? nil : request.groupCode
        query.incomeGroup = request.incomeGroup.isEmpty ? nil : request.incomeGroup
        query.fromYear = request.fromYear == 0 ? nil : Int(request.fromYear)
        query.toYear = request.toYear == 0 ? nil : Int(request.toYear)
        if let from = query.fromYear, let to = query.toYear, from > to {
            violations.append(.init(field: "to_year", description: "must not be before from_year (\(from))"))
        }
        switch request.order {
        case .unspecified, .seriesAreaYear: query.order = .seriesAreaYear
        case .seriesYearArea: query.order = .seriesYearArea
        case .unrecognized(let value):
            violations.append(.init(field: "order", description: "unknown order \(value)"))
        }
        switch request.pageSize {
        case 0: query.pageSize = defaultPageSize
        case 1...Int32(maxPageSize): query.pageSize = Int(request.pageSize)
        default:
            violations.append(
                .init(field: "page_size", description: "must be between 1 and \(maxPageSize), got \(request.pageSize)")
            )
        }
        if !request.pageToken.isEmpty {
            if let key = decode(request.pageToken, fingerprint: fingerprint(of: query)) {
                query.after = key
            } else {
                violations.append(
                    .init(field: "page_token", description: "not a page token of this query (filters or order differ?)")
                )
            }
        }
        if !violations.isEmpty { throw .invalid("invalid observation query", violations) }
        return query
    }

    static func encode(after key: ObservationKey, query: ObservationQuery) -> String {
        let text = ["p1", fingerprint(of: query), key.seriesCode, key.areaCode, String(key.year)].joined(separator: "|")
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ token: String, fingerprint expected: String) -> ObservationKey? {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.count <= 512, let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8)
        else { return nil }
        let parts = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5, parts[0] == "p1", parts[1] == expected, let year = Int(parts[4]) else { return nil }
        return ObservationKey(seriesCode: parts[2], areaCode: parts[3], year: year)
    }

    /// FNV-1a over the filters and order, so a token only continues the query that issued it.
    static func fingerprint(of query: ObservationQuery) -> String {
        let canonical = [
            query.seriesCodes.joined(separator: ","), query.areaCodes.joined(separator: ","), query.groupCode ?? "",
            query.incomeGroup ?? "", query.fromYear.map(String.init) ?? "", query.toYear.map(String.init) ?? "",
            query.order.rawValue,
        ].joined(separator: "\u{1F}")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in canonical.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
