import ProgrammesAPI
import ProtobufRuntime
import RPCCore
import RPCErrorDetails
import StandardProtos

/// An update by field mask: the named fields of the request's programme replace the stored ones. The result is
/// checked as a whole (a target series must name one of the programme's countries, an end follow its start),
/// but only the changed fields' problems refuse the update: data that came in through IATI, which the API
/// would refuse, does not block unrelated changes.
enum ProgrammeUpdate {
    /// The fields an update may set. Status has its own method; ids, etag and timestamps are the server's.
    static let paths: Set<String> = [
        "title", "description", "kind", "parent_id", "iati_identifier", "countries", "dates", "dates.planned_start",
        "dates.actual_start", "dates.planned_end", "dates.actual_end", "sdg_goals", "sdg_targets", "funding",
        "transactions", "budgets", "resources_mobilised", "agreements", "milestones", "target_series",
        "participating_organisations",
    ]

    static func apply(
        _ paths: [String],
        from incoming: Isid_Programmes_V1_Programme,
        to programme: inout Programme,
        input: ProgrammeInput,
        output: ProgrammeOutput
    ) throws {
        var merged = output.proto(programme)
        for path in paths { copy(path, from: incoming, to: &merged) }
        let (candidate, problems) = input.read(merged, id: programme.id)
        var violations = FieldViolations()
        for violation in problems.all where paths.contains(where: { covers($0, violation.field) }) {
            violations.add("programme.\(violation.field)", violation.description)
        }
        try violations.check()
        for path in paths { copy(path, from: candidate, to: &programme) }
    }

    /// Whether a change to `path` is what a violation of `field` is about.
    private static func covers(_ path: String, _ field: String) -> Bool {
        field == path || field.hasPrefix(path + ".") || field.hasPrefix(path + "[")
            // A target series is checked against the countries: changing either can break it.
            || (path == "countries" && field.hasPrefix("target_series"))
            || (path.hasPrefix("dates") && field.hasPrefix("dates"))
    }

    private static func copy(
        _ path: String,
        from source: Isid_Programmes_V1_Programme,
        to target: inout Isid_Programmes_V1_Programme
    ) {
        switch path {
        case "title": target.title = source.title
        case "description": target.description = source.description
        case "kind": target.kind = source.kind
        case "parent_id": target.parentId = source.parentId
        case "iati_identifier": target.iatiIdentifier = source.iatiIdentifier
        case "countries": target.countries = source.countries
        case "dates": target.dates = source.dates
        case "dates.planned_start": target.dates = dates(target.dates) { $0.plannedStart = source.dates?.plannedStart }
        case "dates.actual_start": target.dates = dates(target.dates) { $0.actualStart = source.dates?.actualStart }
        case "dates.planned_end": target.dates = dates(target.dates) { $0.plannedEnd = source.dates?.plannedEnd }
        case "dates.actual_end": target.dates = dates(target.dates) { $0.actualEnd = source.dates?.actualEnd }
        case "sdg_goals": target.sdgGoals = source.sdgGoals
        case "sdg_targets": target.sdgTargets = source.sdgTargets
        case "funding": target.funding = source.funding
        case "transactions": target.transactions = source.transactions
        case "budgets": target.budgets = source.budgets
        case "resources_mobilised": target.resourcesMobilised = source.resourcesMobilised
        case "agreements": target.agreements = source.agreements
        case "milestones": target.milestones = source.milestones
        case "target_series": target.targetSeries = source.targetSeries
        case "participating_organisations": target.participatingOrganisations = source.participatingOrganisations
        default: break
        }
    }

    private static func dates(
        _ dates: Isid_Programmes_V1_ProgrammeDates?,
        _ change: (inout Isid_Programmes_V1_ProgrammeDates) -> Void
    ) -> Isid_Programmes_V1_ProgrammeDates {
        var dates = dates ?? .init()
        change(&dates)
        return dates
    }

    private static func copy(_ path: String, from source: Programme, to target: inout Programme) {
        switch path {
        case "title": target.title = source.title
        case "description": target.description = source.description
        case "kind": target.kind = source.kind
        case "parent_id": target.parentID = source.parentID
        case "iati_identifier": target.iatiIdentifier = source.iatiIdentifier
        case "countries": target.countries = source.countries
        case "dates", "dates.planned_start", "dates.actual_start", "dates.planned_end", "dates.actual_end":
            target.dates = source.dates
        case "sdg_goals": target.sdgGoals = source.sdgGoals
        case "sdg_targets": target.sdgTargets = source.sdgTargets
        case "funding": target.funding = source.funding
        case "transactions": target.transactions = source.transactions
        case "budgets": target.budgets = source.budgets
        case "resources_mobilised": target.resourcesMobilised = source.resourcesMobilised
        case "agreements": target.agreements = source.agreements
        case "milestones": target.milestones = source.milestones
        case "target_series": target.targetSeries = source.targetSeries
        case "participating_organisations": target.participatingOrganisations = source.participatingOrganisations
        default: break
        }
    }
}
