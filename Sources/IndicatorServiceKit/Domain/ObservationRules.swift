/// The rules a written observation must satisfy, with the field each one is about. Pure: the series' units
/// and the known areas are passed in.
public enum ObservationRules {
    /// UN SDG database nature codes.
    public static let natureCodes: Set<String> = ["C", "CA", "E", "G", "M", "N"]
    /// The UN was founded in 1945; no SDG series goes back further.
    public static let firstYear = 1945
    public static let maxBatchSize = 1000

    /// A violation of a rule: the field path (relative to the row) and what is wrong.
    public struct Violation: Sendable, Hashable {
        public var field: String
        public var description: String

        public init(field: String, description: String) {
            self.field = field
            self.description = description
        }
    }

    /// What is wrong with one row, ignoring whether its series and area exist (the store checks those).
    public static func violations(of row: ObservationRecord, currentYear: Int) -> [Violation] {
        var found: [Violation] = []
        if row.seriesCode.isEmpty { found.append(.init(field: "series_code", description: "required")) }
        if row.areaCode.isEmpty { found.append(.init(field: "area_code", description: "required")) }
        if row.year < firstYear || row.year > currentYear {
            found.append(
                .init(field: "year", description: "\(row.year) is not a possible year (\(firstYear)-\(currentYear))")
            )
        }
        if !row.value.isFinite {
            found.append(.init(field: "value", description: "must be a finite number, got \(row.value)"))
        }
        if !natureCodes.contains(row.nature) {
            found.append(
                .init(field: "nature", description: "must be one of C, CA, E, G, M, N; got \"\(row.nature)\"")
            )
        }
        if row.source.isEmpty { found.append(.init(field: "source", description: "required")) }
        if row.unit.isEmpty { found.append(.init(field: "unit", description: "required")) }
        return found
    }

    /// The unit rule, once the series is known.
    public static func unitViolation(of row: ObservationRecord, seriesUnit: String) -> Violation? {
        guard !row.unit.isEmpty, row.unit != seriesUnit else { return nil }
        return Violation(
            field: "unit",
            description: "series \(row.seriesCode) is in \(seriesUnit), got \"\(row.unit)\""
        )
    }
}
