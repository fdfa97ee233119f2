public import ParityAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

extension ParityHandler {
    public func createEvent(
        request: Isid_Parity_V1_CreateEventRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_Event {
        var violations = FieldViolations()
        if request.event == nil { violations.add("event", "required") }
        var event = ParityInput.event(request.event ?? Isid_Parity_V1_Event(), prefix: "event.", &violations)
        try violations.check()
        event.programmeLink = try await checkLink(event.programmeID, field: "event.programme_id")
        return ParityOutput.event(try await store.createEvent(event, actor: actor))
    }

    public func getEvent(
        request: Isid_Parity_V1_GetEventRequest,
        context: ServerContext
    ) async throws
        -> Isid_Parity_V1_Event
    {
        ParityOutput.event(try await requireEvent(request.id, field: "id"))
    }

    public func listEvents(
        request: Isid_Parity_V1_ListEventsRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_ListEventsResponse {
        var violations = FieldViolations()
        if !(0...500).contains(request.pageSize) { violations.add("page_size", "1 to 500, or 0 for 50") }
        var filter = EventFilter()
        filter.includeExamples = request.includeExamples
        if request.year != 0 { filter.year = Int(request.year) }
        if !request.programmeId.isEmpty { filter.programmeID = request.programmeId }
        if case .unspecified = request.kind {
        } else if let kind = EventKind(request.kind) {
            filter.kind = kind
        } else {
            violations.add("kind", "unknown value \(request.kind.rawValue)")
        }
        try violations.check()
        let pageSize = request.pageSize == 0 ? 50 : Int(request.pageSize)
        let after = request.pageToken.isEmpty ? nil : request.pageToken
        if let after, try await store.event(id: after) == nil {
            throw RPCError.invalidArgument(
                "page_token is not one this server issued",
                fieldViolations: [("page_token", "unknown")]
            )
        }
        let events = try await store.events(matching: filter, afterID: after, limit: pageSize + 1)
        return .with {
            $0.events = events.prefix(pageSize).map(ParityOutput.event)
            if events.count > pageSize, let last = events.prefix(pageSize).last { $0.nextPageToken = last.id }
        }
    }

    public func updateEvent(
        request: Isid_Parity_V1_UpdateEventRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_Event {
        let proto = request.event ?? Isid_Parity_V1_Event()
        let current = try await requireEvent(proto.id, field: "event.id")
        let paths = request.updateMask?.paths ?? []
        var violations = FieldViolations()
        if paths.isEmpty { violations.add("update_mask", "name the fields to change") }
        var updated = current.event
        for path in paths { ParityInput.apply(path, from: proto, to: &updated, prefix: "event.", &violations) }
        for (field, description) in updated.problems { violations.add("event." + field, description) }
        try violations.check()
        if updated.programmeID != current.event.programmeID {
            updated.programmeLink = try await checkLink(updated.programmeID, field: "event.programme_id")
        }
        let final = updated
        let stored = try await store.modifyEvent(
            id: current.id,
            expectedEtag: proto.etag.isEmpty ? nil : proto.etag,
            fields: paths,
            actor: actor
        ) { event in
            // The checks above ran on this state; a concurrent change without an etag is overwritten in the
            // masked fields only.
            var merged = event
            for path in paths { Self.copy(path, from: final, to: &merged) }
            if final.programmeID != event.programmeID || paths.contains("programme_id") {
                merged.programmeLink = final.programmeLink
            }
            var violations = FieldViolations()
            for (field, description) in merged.problems { violations.add("event." + field, description) }
            try violations.check("the event as changed meanwhile would be invalid")
            event = merged
        }
        return ParityOutput.event(stored)
    }

    /// Copies one masked field between domain events.
    static func copy(_ path: String, from source: Event, to target: inout Event) {
        switch path {
        case "title": target.title = source.title
        case "kind": target.kind = source.kind
        case "unido_role": target.unidoRole = source.unidoRole
        case "organizer": target.organizer = source.organizer
        case "co_organizers": target.coOrganizers = source.coOrganizers
        case "themes": target.themes = source.themes
        case "start_date": target.startDate = source.startDate
        case "end_date": target.endDate = source.endDate
        case "duration_days": target.durationDays = source.durationDays
        case "online": target.online = source.online
        case "venue": target.venue = source.venue
        case "country_code": target.countryCode = source.countryCode
        case "programme_id": target.programmeID = source.programmeID
        case "sources": target.sources = source.sources
        case "example": target.example = source.example
        case "description": target.description = source.description
        default: break
        }
    }
}
