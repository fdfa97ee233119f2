import IsidStorage

/// How every store decides an upsert before it writes anything: the batch is checked as a whole (every
/// violation collected, unknown series and areas named), then each row is compared with what is stored, so
/// identical rows change nothing and get no revision.
enum ObservationUpsert {
    /// What rows are checked against: each series' unit, and the area codes. Read once per transaction.
    struct Catalogue {
        var seriesUnits: [String: String]
        var areaCodes: Set<String>
    }

    /// Throws INVALID_ARGUMENT with every violation of the batch, or NOT_FOUND naming unknown series and
    /// areas; returns when the batch may be written.
    static func validate(_ rows: [ObservationRecord], against catalogue: Catalogue, currentYear: Int) throws {
        let units = catalogue.seriesUnits
        let areaCodes = catalogue.areaCodes
        var violations: [ObservationRules.Violation] = []
        var unknown: [String] = []
        var seen: Set<ObservationKey> = []
        for (index, row) in rows.enumerated() {
            let prefix = "observations[\(index)]."
            for violation in ObservationRules.violations(of: row, currentYear: currentYear) {
                violations.append(.init(field: prefix + violation.field, description: violation.description))
            }
            if !seen.insert(row.key).inserted {
                violations.append(
                    .init(
                        field: prefix + "year",
                        description: "duplicate of an earlier row for \(row.seriesCode)/\(row.areaCode)/\(row.year)"
                    )
                )
            }
            if let unit = units[row.seriesCode] {
                if let violation = ObservationRules.unitViolation(of: row, seriesUnit: unit) {
                    violations.append(.init(field: prefix + violation.field, description: violation.description))
                }
            } else if !row.seriesCode.isEmpty {
                unknown.append("observations[\(index)]: unknown series \"\(row.seriesCode)\"")
            }
            if !row.areaCode.isEmpty, !areaCodes.contains(row.areaCode) {
                unknown.append("observations[\(index)]: unknown area \"\(row.areaCode)\"")
            }
        }
        if !violations.isEmpty {
            throw IndicatorError.invalid("\(violations.count) problem(s) in the batch; nothing was stored", violations)
        }
        if !unknown.isEmpty {
            throw IndicatorError.notFound(unknown.joined(separator: "; ") + "; nothing was stored")
        }
    }

    /// The change each row makes, in row order (an insert, or an update with the value it replaces), and how
    /// many rows equal what is stored.
    static func changes(
        for rows: [ObservationRecord],
        stored: (ObservationKey) throws -> ObservationRecord?
    ) rethrows -> (changes: [ObservationChange], unchanged: Int) {
        var changes: [ObservationChange] = []
        var unchanged = 0
        for row in rows {
            let current = try stored(row.key)
            if let current, current.hasSameContent(as: row) {
                unchanged += 1
                continue
            }
            changes.append(
                ObservationChange(
                    operation: current == nil ? .inserted : .updated,
                    observation: row,
                    previousValue: current?.value
                )
            )
        }
        return (changes, unchanged)
    }

    /// The outcome of writing `changes`: counts, and the revision after.
    static func outcome(_ changes: [ObservationChange], unchanged: Int, revision: Int64) -> UpsertOutcome {
        var outcome = UpsertOutcome()
        outcome.inserted = changes.count { $0.operation == .inserted }
        outcome.updated = changes.count { $0.operation == .updated }
        outcome.unchanged = unchanged
        outcome.revision = revision
        return outcome
    }
}
