public import IndicatorsAPI
import IsidStorage
public import RPCCore

extension IndicatorHandler {
    public func getSdg9Index(
        request: Isid_Indicators_V1_GetSdg9IndexRequest,
        context: ServerContext
    ) async throws -> Isid_Indicators_V1_GetSdg9IndexResponse {
        let method = try IndexRequestMapping.method(
            from: request,
            defaultAggregation: defaultAggregation,
            currentYear: CalendarYear.current
        )
        let year = Int(request.year)
        let records = try await store.economyValues(
            seriesCodes: SDG9IndexMethod.components.map(\.seriesCode),
            years: (year - method.maxLagYears)...year
        )
        let inputs = records.map {
            SDG9Index.Input(areaCode: $0.areaCode, seriesCode: $0.seriesCode, year: $0.year, value: $0.value)
        }
        let result = SDG9Index.compute(year: year, method: method, inputs: inputs)
        let names = Dictionary(
            uniqueKeysWithValues: try await store.areas(matching: AreaFilter(kind: .economy)).map { ($0.code, $0.name) }
        )
        return .init(result, names: names)
    }

    public func getProgress(
        request: Isid_Indicators_V1_GetProgressRequest,
        context: ServerContext
    ) async throws -> Isid_Indicators_V1_ProgressAssessment {
        let area = try await requireArea(request.areaCode)
        let series = try await requireSeries(request.seriesCode)
        let records = try await store.observations(seriesCode: series.code, areaCode: area.code)
        let values = Dictionary(records.map { ($0.year, $0.value) }, uniquingKeysWith: { _, last in last })
        return .init(ProgressAssessment.assess(series: series, area: area, values: values))
    }
}
