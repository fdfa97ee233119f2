public import IndicatorsAPI
import IsidStorage
import ProtobufRuntime
public import RPCCore

extension IndicatorHandler {
    public func queryObservations(
        request: Isid_Indicators_V1_QueryObservationsRequest,
        context: ServerContext
    ) async throws -> Isid_Indicators_V1_QueryObservationsResponse {
        let query = try ObservationQueryMapping.query(from: request)
        try await requireKnownSeries(query.seriesCodes)
        try await requireKnownAreas(query.areaCodes + (query.groupCode.map { [$0] } ?? []))
        let page = try await store.observations(query)
        return .with {
            $0.observations = page.observations.map(Isid_Indicators_V1_Observation.init)
            if page.hasMore, let last = page.observations.last {
                $0.nextPageToken = ObservationQueryMapping.encode(after: last.key, query: query)
            }
            $0.revisionToken = RevisionTokenField.format(page.revision)
            $0.attribution = DataAttribution.text
        }
    }

    public func getLatestValues(
        request: Isid_Indicators_V1_GetLatestValuesRequest,
        context: ServerContext
    ) async throws -> Isid_Indicators_V1_GetLatestValuesResponse {
        _ = try await requireSeries(request.seriesCode)
        try await requireKnownAreas(request.areaCodes)
        var since: Int64?
        if !request.ifChangedSince.isEmpty {
            since = try RevisionTokenField.parse(
                request.ifChangedSince,
                field: "if_changed_since",
                currentRevision: try await store.currentRevision()
            )
        }
        let latest = try await store.latestValues(
            seriesCode: request.seriesCode,
            areaCodes: request.areaCodes,
            unchangedSince: since
        )
        return .with {
            $0.revisionToken = RevisionTokenField.format(latest.revision)
            if let values = latest.values {
                $0.values = values.map(Isid_Indicators_V1_Observation.init)
                $0.attribution = DataAttribution.text
            } else {
                $0.unchanged = true
            }
        }
    }

    public func upsertObservations(
        request: Isid_Indicators_V1_UpsertObservationsRequest,
        context: ServerContext
    ) async throws -> Isid_Indicators_V1_UpsertObservationsResponse {
        let count = request.observations.count
        guard (1...ObservationRules.maxBatchSize).contains(count) else {
            throw IndicatorError.invalid(
                "a batch holds 1 to \(ObservationRules.maxBatchSize) observations",
                [.init(field: "observations", description: "got \(count) rows")]
            )
        }
        let outcome = try await store.upsert(
            request.observations.map(ObservationRecord.init),
            currentYear: CalendarYear.current
        )
        return .with {
            $0.inserted = Int32(outcome.inserted)
            $0.updated = Int32(outcome.updated)
            $0.unchanged = Int32(outcome.unchanged)
            $0.revisionToken = RevisionTokenField.format(outcome.revision)
        }
    }
}
