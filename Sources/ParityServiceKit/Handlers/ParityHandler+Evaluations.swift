import IsidStorage
public import ParityAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

extension ParityHandler {
    public func evaluatePanel(
        request: Isid_Parity_V1_EvaluatePanelRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_PanelEvaluation {
        let panel = try await requirePanel(request.panelId, field: "panel_id")
        guard let event = try await store.event(id: panel.panel.eventID) else {
            throw RPCError(code: .notFound, message: "no event \"\(panel.panel.eventID)\"")
        }
        let history = PolicyHistory(try await store.policies())
        let evaluation = try evaluate(panel, of: event.event, history: history, field: "panel_id")
        return ParityOutput.evaluation(evaluation, panelID: panel.id, eventID: event.id)
    }

    public func evaluateEvent(
        request: Isid_Parity_V1_EvaluateEventRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_EventEvaluation {
        let event = try await requireEvent(request.eventId, field: "event_id")
        let history = PolicyHistory(try await store.policies())
        let panels = try await store.panels(eventID: event.id).filter {
            request.includeExamples || event.event.example || !$0.panel.example
        }
        guard let date = event.event.startDate else { throw Self.undated(field: "event_id") }
        var violations = FieldViolations()
        for panel in panels where panel.counts.speakers.total == 0 {
            violations.add("event_id", "panel \"\(panel.id)\" has no speakers to evaluate")
        }
        if !violations.isEmpty {
            throw RPCError.failedPrecondition(
                "\(violations.all.count) panel(s) of the event have no speakers: add speakers first",
                fieldViolations: violations.all.map { ($0.field, $0.description) }
            )
        }
        let evaluations = try panels.map { try evaluate($0, of: event.event, history: history, field: "event_id") }
        let policy = history.inForce(on: date)
        return .with {
            $0.eventId = event.id
            $0.panels = zip(panels, evaluations).map {
                ParityOutput.evaluation($1, panelID: $0.id, eventID: event.id)
            }
            let verdicts = evaluations.map(\.verdict)
            $0.verdict =
                verdicts.contains(.nonCompliant) ? .nonCompliant : verdicts.contains(.compliant) ? .compliant : .exempt
            if let policy {
                $0.policyVersion = Int32(policy.version)
                $0.policyEffectiveDate = ParityOutput.date(policy.effectiveDate)
                $0.settings = ParityOutput.settings(policy.settings)
                $0.reasons.append(
                    ParityOutput.reason(
                        EvaluationReason(
                            .policyInForce,
                            .satisfied,
                            "version \(policy.version), in force from \(policy.effectiveDate)"
                        )
                    )
                )
            } else {
                $0.reasons.append(
                    ParityOutput.reason(
                        EvaluationReason(.policyInForce, .exempts, "no policy version was in force on \(date)")
                    )
                )
            }
            if panels.isEmpty {
                $0.reasons.append(
                    .with {
                        $0.outcome = .exempts
                        $0.message = "no panels recorded"
                    }
                )
            }
        }
    }

    public func getComplianceReport(
        request: Isid_Parity_V1_GetComplianceReportRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_ComplianceReport {
        var violations = FieldViolations()
        let start = ParityInput.date(request.startDate, field: "start_date", &violations)
        let end = ParityInput.date(request.endDate, field: "end_date", &violations)
        if let start, let end, end.latestDay < start.earliestDay {
            violations.add("end_date", "\(end) is before start_date \(start)")
        }
        try violations.check()
        var filter = EventFilter()
        filter.includeExamples = request.includeExamples
        filter.from = start?.earliestDay
        filter.through = end?.latestDay
        if !request.programmeId.isEmpty { filter.programmeID = request.programmeId }
        let revision = try await store.currentRevision()
        return try await complianceReports.answer(for: filter, at: revision) { try await report(matching: filter) }
    }

    /// Evaluates every panel of every event matching `filter` under the policy in force at its event.
    private func report(matching filter: EventFilter) async throws -> Isid_Parity_V1_ComplianceReport {
        // Undated events are not in a date range; without one they are counted apart.
        let history = PolicyHistory(try await store.policies())
        var evaluated: [EvaluatedEvent] = []
        var undated = 0
        var withoutSpeakers = 0
        var after: String?
        while true {
            let page = try await store.events(matching: filter, afterID: after, limit: 500)
            for event in page {
                guard event.event.startDate != nil else {
                    undated += 1
                    continue
                }
                var panels: [(verdict: Verdict, counts: ParticipantCounts, policyVersion: Int)] = []
                for panel in try await store.panels(eventID: event.id)
                where filter.includeExamples || !panel.panel.example {
                    guard panel.counts.speakers.total > 0 else {
                        withoutSpeakers += 1
                        continue
                    }
                    let evaluation = try PanelPolicy.evaluate(
                        counts: panel.counts,
                        event: event.event,
                        history: history
                    )
                    panels.append((evaluation.verdict, panel.counts, evaluation.policy?.version ?? 0))
                }
                evaluated.append(EvaluatedEvent(event: event.event, panels: panels))
            }
            guard page.count == 500, let last = page.last else { break }
            after = last.id
        }
        let report = ComplianceReport(events: evaluated)
        return .with {
            $0.total = ParityOutput.figures(report.total)
            $0.byQuarter = ParityOutput.groups(report.byQuarter)
            $0.byKind = ParityOutput.groups(report.byKind.reduce(into: [:]) { $0[Self.kindName($1.key)] = $1.value })
            $0.byOrganizer = ParityOutput.groups(report.byOrganizer)
            $0.byCountry = ParityOutput.groups(report.byCountry)
            $0.policyVersions = report.policyVersions.sorted().map(Int32.init)
            $0.undatedEvents = Int32(undated)
            $0.panelsWithoutSpeakers = Int32(withoutSpeakers)
        }
    }

    /// "EVENT_KIND_FORUM" for the stored "forum": the proto enum's name, as the API documents the key.
    static func kindName(_ stored: String) -> String {
        "EVENT_KIND_" + stored.uppercased()
    }

    /// The panel's evaluation; FAILED_PRECONDITION naming `field` when it cannot be evaluated.
    func evaluate(
        _ panel: StoredPanel,
        of event: Event,
        history: PolicyHistory,
        field: String
    ) throws
        -> PanelEvaluation
    {
        do {
            return try PanelPolicy.evaluate(counts: panel.counts, event: event, history: history)
        } catch .noSpeakers {
            throw RPCError.failedPrecondition(
                "panel \"\(panel.id)\" has no speakers to evaluate: add speakers first",
                fieldViolations: [(field, EvaluationError.noSpeakers.description)]
            )
        } catch .undatedEvent {
            throw Self.undated(field: field)
        }
    }

    static func undated(field: String) -> RPCError {
        RPCError.failedPrecondition(
            "the event has no start date, so no policy version can be chosen: set event.start_date first",
            fieldViolations: [(field, EvaluationError.undatedEvent.description)]
        )
    }
}
