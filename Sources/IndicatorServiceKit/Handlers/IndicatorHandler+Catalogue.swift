public import IndicatorsAPI
import ProtobufRuntime
public import RPCCore

extension IndicatorHandler {
    public func getDataSource(
        request: Isid_Indicators_V1_GetDataSourceRequest,
        context: ServerContext
    ) async throws -> Isid_Indicators_V1_DataSource {
        .shipped
    }

    public func listSeries(
        request: Isid_Indicators_V1_ListSeriesRequest,
        context: ServerContext
    ) async throws -> Isid_Indicators_V1_ListSeriesResponse {
        let series = try await store.allSeries()
        return .with {
            $0.series = series.map(Isid_Indicators_V1_Series.init)
            $0.attribution = DataAttribution.text
        }
    }

    public func getSeries(
        request: Isid_Indicators_V1_GetSeriesRequest,
        context: ServerContext
    ) async throws -> Isid_Indicators_V1_Series {
        .init(try await requireSeries(request.code, field: "code", includingCoverage: true))
    }

    public func listAreas(
        request: Isid_Indicators_V1_ListAreasRequest,
        context: ServerContext
    ) async throws -> Isid_Indicators_V1_ListAreasResponse {
        var filter = AreaFilter()
        switch request.kind {
        case .unspecified: break
        case .economy: filter.kind = .economy
        case .aggregate: filter.kind = .aggregate
        case .unrecognized(let value):
            throw IndicatorError.invalid(
                "unknown area kind",
                [.init(field: "kind", description: "unknown value \(value)")]
            )
        }
        filter.regionM49 = request.regionM49.isEmpty ? nil : request.regionM49
        filter.incomeGroup = request.incomeGroup.isEmpty ? nil : request.incomeGroup
        filter.ldcOnly = request.ldcOnly
        let areas = try await store.areas(matching: filter)
        return .with { $0.areas = areas.map(Isid_Indicators_V1_Area.init) }
    }

    public func getArea(
        request: Isid_Indicators_V1_GetAreaRequest,
        context: ServerContext
    ) async throws -> Isid_Indicators_V1_Area {
        .init(try await requireArea(request.code, field: "code"))
    }
}
