public import ParityAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

extension ParityHandler {
    public func createPanel(
        request: Isid_Parity_V1_CreatePanelRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_Panel {
        var violations = FieldViolations()
        if request.panel == nil { violations.add("panel", "required") }
        let panel = ParityInput.panel(request.panel ?? Isid_Parity_V1_Panel(), prefix: "panel.", &violations)
        try violations.check()
        return ParityOutput.panel(try await store.createPanel(panel, actor: actor))
    }

    public func getPanel(
        request: Isid_Parity_V1_GetPanelRequest,
        context: ServerContext
    ) async throws
        -> Isid_Parity_V1_Panel
    {
        ParityOutput.panel(try await requirePanel(request.id, field: "id"))
    }

    public func listPanels(
        request: Isid_Parity_V1_ListPanelsRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_ListPanelsResponse {
        let event = try await requireEvent(request.eventId, field: "event_id")
        let panels = try await store.panels(eventID: event.id)
        return .with { $0.panels = panels.map(ParityOutput.panel) }
    }

    public func updatePanel(
        request: Isid_Parity_V1_UpdatePanelRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_Panel {
        let proto = request.panel ?? Isid_Parity_V1_Panel()
        let current = try await requirePanel(proto.id, field: "panel.id")
        let paths = request.updateMask?.paths ?? []
        var violations = FieldViolations()
        if paths.isEmpty { violations.add("update_mask", "name the fields to change") }
        var updated = current.panel
        for path in paths { ParityInput.apply(path, from: proto, to: &updated, prefix: "panel.", &violations) }
        for (field, description) in updated.problems { violations.add("panel." + field, description) }
        try violations.check()
        let final = updated
        let stored = try await store.modifyPanel(
            id: current.id,
            expectedEtag: proto.etag.isEmpty ? nil : proto.etag,
            fields: paths,
            actor: actor
        ) { panel in
            for path in paths {
                switch path {
                case "title": panel.title = final.title
                case "format": panel.format = final.format
                case "date": panel.date = final.date
                case "example": panel.example = final.example
                default: break
                }
            }
        }
        return ParityOutput.panel(stored)
    }

    public func addParticipant(
        request: Isid_Parity_V1_AddParticipantRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_AddParticipantResponse {
        var violations = FieldViolations()
        if request.eventId.isEmpty { violations.add("event_id", "required") }
        if request.panelId.isEmpty { violations.add("panel_id", "required") }
        if request.participant == nil { violations.add("participant", "required") }
        let participant = ParityInput.participant(
            request.participant ?? Isid_Parity_V1_Participant(),
            prefix: "participant.",
            &violations
        )
        try violations.check()
        guard let participant else { throw RPCError(code: .internal, message: "participant not read") }
        let added = try await store.addParticipant(
            participant,
            eventID: request.eventId,
            panelID: request.panelId,
            expectedEtag: request.etag.isEmpty ? nil : request.etag,
            actor: actor
        )
        return .with {
            $0.participantId = added.participantID
            $0.panel = ParityOutput.panel(added.panel)
        }
    }

    public func removeParticipant(
        request: Isid_Parity_V1_RemoveParticipantRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_Panel {
        try requireID(request.panelId, field: "panel_id")
        try requireID(request.participantId, field: "participant_id")
        return ParityOutput.panel(
            try await store.removeParticipant(
                id: request.participantId,
                panelID: request.panelId,
                expectedEtag: request.etag.isEmpty ? nil : request.etag,
                actor: actor
            )
        )
    }

    public func listParticipants(
        request: Isid_Parity_V1_ListParticipantsRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_ListParticipantsResponse {
        try requireID(request.panelId, field: "panel_id")
        let participants = try await store.participants(panelID: request.panelId)
        return .with { $0.participants = participants.map(ParityOutput.participant) }
    }

    public func eraseParticipant(
        request: Isid_Parity_V1_EraseParticipantRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_EraseParticipantResponse {
        try requireID(request.participantId, field: "participant_id")
        let erased = try await store.eraseParticipant(id: request.participantId, actor: actor)
        return .with {
            $0.participantId = erased.id
            $0.panelId = erased.panelID
            $0.role = erased.participant.role.proto
            $0.gender = erased.participant.gender.proto
        }
    }
}
