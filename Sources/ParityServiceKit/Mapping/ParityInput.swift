import Foundation
public import ParityAPI
import ProtobufRuntime
public import RPCErrorDetails
public import StandardProtos

/// Requests to domain values, collecting every problem as a field violation (paths as the request spells
/// them) so one INVALID_ARGUMENT names them all.
public enum ParityInput {
    /// Event fields an update mask may name.
    static let eventMaskFields: Set<String> = [
        "title", "kind", "unido_role", "organizer", "co_organizers", "themes", "start_date", "end_date",
        "duration_days", "online", "venue", "country_code", "programme_id", "sources", "example", "description",
    ]
    static let panelMaskFields: Set<String> = ["title", "format", "date", "example"]

    /// A google.type.Date at its precision; nil when absent or all zero (unknown). Month 0 with a day, or a
    /// day that does not exist, is a violation.
    public static func date(
        _ proto: Google_Type_Date?,
        field: String,
        _ violations: inout FieldViolations
    ) -> PartialDate? {
        guard let proto, proto.year != 0 || proto.month != 0 || proto.day != 0 else { return nil }
        let month = proto.month == 0 ? nil : Int(proto.month)
        let day = proto.day == 0 ? nil : Int(proto.day)
        guard let date = PartialDate(year: Int(proto.year), month: month, day: day) else {
            violations.add(
                field,
                "not a date: \(proto.year)-\(proto.month)-\(proto.day) (year 1 to 9999; month 0 only with day 0)"
            )
            return nil
        }
        return date
    }

    /// The whole event, for CreateEvent, with fields prefixed by `prefix`.
    static func event(_ proto: Isid_Parity_V1_Event, prefix: String, _ violations: inout FieldViolations) -> Event {
        var event = Event(title: "", kind: .conference, unidoRole: .organized, organizer: "")
        for field in eventMaskFields.sorted() { apply(field, from: proto, to: &event, prefix: prefix, &violations) }
        for (field, description) in event.problems { violations.add(prefix + field, description) }
        return event
    }

    /// Sets one masked field of `event` from `proto`.
    static func apply(
        _ field: String,
        from proto: Isid_Parity_V1_Event,
        to event: inout Event,
        prefix: String,
        _ violations: inout FieldViolations
    ) {
        let path = prefix + field
        switch field {
        case "title": event.title = proto.title.trimmingCharacters(in: .whitespacesAndNewlines)
        case "kind":
            if let kind = EventKind(proto.kind) { event.kind = kind } else { violations.add(path, unknown(proto.kind)) }
        case "unido_role":
            if let role = UnidoRole(proto.unidoRole) {
                event.unidoRole = role
            } else {
                violations.add(path, unknown(proto.unidoRole))
            }
        case "organizer": event.organizer = proto.organizer.trimmingCharacters(in: .whitespacesAndNewlines)
        case "co_organizers": event.coOrganizers = proto.coOrganizers
        case "themes":
            var themes: [Theme] = []
            for (index, value) in proto.themes.enumerated() {
                if let theme = Theme(value) {
                    if !themes.contains(theme) { themes.append(theme) }
                } else {
                    violations.add("\(path)[\(index)]", unknown(value))
                }
            }
            event.themes = themes
        case "start_date": event.startDate = date(proto.startDate, field: path, &violations)
        case "end_date": event.endDate = date(proto.endDate, field: path, &violations)
        case "duration_days": event.durationDays = Int(proto.durationDays)
        case "online": event.online = proto.online
        case "venue": event.venue = proto.venue.trimmingCharacters(in: .whitespacesAndNewlines)
        case "country_code": event.countryCode = proto.countryCode
        case "programme_id": event.programmeID = proto.programmeId.trimmingCharacters(in: .whitespaces)
        case "sources":
            event.sources = proto.sources.map { SourceCitation(citation: $0.citation, locator: $0.locator) }
            for (index, source) in proto.sources.enumerated() where source.citation.isEmpty {
                violations.add("\(path)[\(index)].citation", "required")
            }
        case "example": event.example = proto.example
        case "description": event.description = proto.description
        default: violations.add(prefix.isEmpty ? field : "update_mask", "no such field: \(field)")
        }
    }

    static func panel(_ proto: Isid_Parity_V1_Panel, prefix: String, _ violations: inout FieldViolations) -> Panel {
        var panel = Panel(eventID: proto.eventId, title: "")
        if proto.eventId.isEmpty { violations.add(prefix + "event_id", "required") }
        for field in panelMaskFields.sorted() { apply(field, from: proto, to: &panel, prefix: prefix, &violations) }
        for (field, description) in panel.problems { violations.add(prefix + field, description) }
        return panel
    }

    static func apply(
        _ field: String,
        from proto: Isid_Parity_V1_Panel,
        to panel: inout Panel,
        prefix: String,
        _ violations: inout FieldViolations
    ) {
        let path = prefix + field
        switch field {
        case "title": panel.title = proto.title.trimmingCharacters(in: .whitespacesAndNewlines)
        case "format":
            // Unset is a panel discussion; an unknown number is refused.
            if case .unspecified = proto.format {
                panel.format = .panelDiscussion
            } else if let format = PanelFormat(proto.format) {
                panel.format = format
            } else {
                violations.add(path, unknown(proto.format))
            }
        case "date": panel.date = date(proto.date, field: path, &violations)
        case "example": panel.example = proto.example
        default: violations.add("update_mask", "no such field: \(field)")
        }
    }

    public static func participant(
        _ proto: Isid_Parity_V1_Participant,
        prefix: String,
        _ violations: inout FieldViolations
    ) -> Participant? {
        let name = proto.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { violations.add(prefix + "display_name", "required") }
        let role = ParticipantRole(proto.role)
        if role == nil { violations.add(prefix + "role", unknown(proto.role)) }
        let gender = Gender(proto.gender)
        if gender == nil {
            violations.add(prefix + "gender", unknown(proto.gender) + " (GENDER_UNDISCLOSED when not given)")
        }
        guard let role, let gender, !name.isEmpty else { return nil }
        return Participant(
            displayName: name,
            role: role,
            gender: gender,
            organisation: proto.organisation.trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }

    /// A policy version to publish; zero settings take their defaults.
    public static func policy(
        _ proto: Isid_Parity_V1_PolicyVersion,
        prefix: String,
        _ violations: inout FieldViolations
    ) -> PolicyVersion? {
        let effective = date(proto.effectiveDate, field: prefix + "effective_date", &violations)
        if proto.effectiveDate == nil || (effective != nil && effective?.isFullDate != true) {
            violations.add(prefix + "effective_date", "required, as a full date")
        }
        let title = proto.title.trimmingCharacters(in: .whitespacesAndNewlines)
        if title.isEmpty { violations.add(prefix + "title", "required") }
        let given = proto.settings ?? Isid_Parity_V1_PolicySettings()
        var settings = PolicySettings(
            minimumWomenSharePercent: Int(given.minimumWomenSharePercent),
            smallestPanelSize: given.smallestPanelSize == 0
                ? PolicySettings.defaultSmallestPanelSize
                : Int(given.smallestPanelSize),
            nonBinaryCountsTowardNonManShare: given.nonBinaryCountsTowardNonManShare,
            allFemalePanelsAllowedEverywhere: given.allFemalePanelsAllowedEverywhere
        )
        switch given.undisclosedGender {
        case .unspecified, .excluded: settings.undisclosedGender = .excluded
        case .countsWithWomen: settings.undisclosedGender = .countsWithWomen
        case .countsWithMen: settings.undisclosedGender = .countsWithMen
        case .unrecognized:
            violations.add(prefix + "settings.undisclosed_gender", unknown(given.undisclosedGender))
        }
        for (field, description) in settings.problems { violations.add(prefix + "settings." + field, description) }
        guard let effective, effective.isFullDate, !title.isEmpty else { return nil }
        return PolicyVersion(
            version: 0,
            effectiveDate: effective,
            title: title,
            sources: proto.sources.map { SourceCitation(citation: $0.citation, locator: $0.locator) },
            settings: settings
        )
    }

    /// Zero is "not given"; any other number this build does not know is named.
    private static func unknown<Value: ProtobufEnum>(_ value: Value) -> String {
        value.rawValue == 0 ? "required" : "unknown value \(value.rawValue)"
    }
}
