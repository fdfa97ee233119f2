public import IndicatorsAPI
public import IsidAuth
public import RPCCore

/// Serves isid.indicators.v1.IndicatorService over an IndicatorStore. One file per RPC group beside this one.
public struct IndicatorHandler: Isid_Indicators_V1_IndicatorService.ServiceProtocol, AccessControlledService {
    public let store: any IndicatorStore
    public let defaultAggregation: SDG9IndexMethod.Aggregation
    /// Largest number of changes in one WatchChanges message.
    let watchBatchSize = 500

    public init(
        store: any IndicatorStore,
        defaultAggregation: SDG9IndexMethod.Aggregation = .arithmetic
    ) {
        self.store = store
        self.defaultAggregation = defaultAggregation
    }

    /// The reads whose answers depend only on the request and the stored observations (which change only
    /// with the change log): pollers' calls, which a response cache may answer again as bytes.
    public static let observationReads = [
        Isid_Indicators_V1_IndicatorService.Method.getLatestValues,
        Isid_Indicators_V1_IndicatorService.Method.queryObservations,
    ]

    /// Writes need `indicators:write`; everything else reads.
    public var accessRules: [MethodDescriptor: AccessRule] {
        typealias Method = Isid_Indicators_V1_IndicatorService.Method
        var rules: [MethodDescriptor: AccessRule] = [:]
        for method in Method.all { rules[method] = .requires(.indicatorsRead) }
        rules[Method.upsertObservations] = .requires(.indicatorsWrite)
        return rules
    }

    /// The series named by a request field; NOT_FOUND when there is none. Coverage is read only when the
    /// answer shows it (it costs a scan of the series, which the hot read paths must not pay).
    func requireSeries(
        _ code: String,
        field: String = "series_code",
        includingCoverage: Bool = false
    ) async throws -> SeriesInfo {
        if code.isEmpty {
            throw IndicatorError.invalid("\(field) is required", [.init(field: field, description: "required")])
        }
        guard let series = try await store.series(code: code, includingCoverage: includingCoverage) else {
            throw IndicatorError.notFound("unknown series \"\(code)\"")
        }
        return series
    }

    func requireArea(_ code: String, field: String = "area_code") async throws -> AreaInfo {
        if code.isEmpty {
            throw IndicatorError.invalid("\(field) is required", [.init(field: field, description: "required")])
        }
        guard let area = try await store.area(code: code) else {
            throw IndicatorError.notFound("unknown area \"\(code)\"")
        }
        return area
    }

    func requireKnownSeries(_ codes: [String]) async throws {
        for code in codes { _ = try await requireSeries(code, field: "series_codes") }
    }

    func requireKnownAreas(_ codes: [String]) async throws {
        let unknown = try await store.unknownAreaCodes(codes)
        if !unknown.isEmpty {
            throw IndicatorError.notFound("unknown area(s): " + unknown.map { "\"\($0)\"" }.joined(separator: ", "))
        }
    }
}
