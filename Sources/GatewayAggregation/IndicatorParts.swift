import GatewayAPI
import IndicatorsAPI
import ProtobufRuntime
import RPCCore

/// The profile's two IndicatorService parts: the economy with its latest values and progress, and its place in
/// the SDG-9 composite.
enum IndicatorParts {
    typealias Service = Isid_Indicators_V1_IndicatorService

    /// The economy and its latest value of every series, asked once and shared by both parts.
    struct Latest: Sendable {
        var area: Isid_Indicators_V1_Area?
        var areaFailure: RPCError?
        /// By series code.
        var values: [Isid_Indicators_V1_Observation] = []
        var attribution = ""
        var failure: RPCError?
    }

    static func latest(area code: String, caller: UpstreamCaller) async -> Latest {
        async let area = CountryProfileService.result {
            try await caller.unary(
                Service.Method.getArea,
                Isid_Indicators_V1_GetAreaRequest.with { $0.code = code },
                Isid_Indicators_V1_Area.self
            )
        }
        async let series = CountryProfileService.result {
            try await caller.unary(
                Service.Method.listSeries,
                Isid_Indicators_V1_ListSeriesRequest(),
                Isid_Indicators_V1_ListSeriesResponse.self
            )
        }
        var latest = Latest()
        switch await area {
        case .success(let area): latest.area = area
        case .failure(let error):
            latest.areaFailure = error
            latest.failure = error
        }
        let catalogue: Isid_Indicators_V1_ListSeriesResponse
        switch await series {
        case .success(let answer): catalogue = answer
        case .failure(let error):
            if latest.failure == nil { latest.failure = error }
            return latest
        }
        guard latest.areaFailure == nil else { return latest }
        latest.attribution = catalogue.attribution
        let answers = await withTaskGroup(of: Result<Isid_Indicators_V1_GetLatestValuesResponse, RPCError>.self) {
            group in
            for series in catalogue.series {
                group.addTask {
                    await CountryProfileService.result {
                        try await caller.unary(
                            Service.Method.getLatestValues,
                            Isid_Indicators_V1_GetLatestValuesRequest.with {
                                $0.seriesCode = series.code
                                $0.areaCodes = [code]
                            },
                            Isid_Indicators_V1_GetLatestValuesResponse.self
                        )
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        for answer in answers {
            switch answer {
            case .success(let response): latest.values += response.values.filter { $0.areaCode == code }
            case .failure(let error): if latest.failure == nil { latest.failure = error }
            }
        }
        latest.values.sort { $0.seriesCode < $1.seriesCode }
        return latest
    }

    /// The economy, its latest values, and progress to 2030 for each series it has a value of.
    static func indicators(
        area code: String,
        latest: Latest,
        caller: UpstreamCaller
    ) async -> Isid_Gateway_V1_IndicatorsPart {
        var part = Isid_Gateway_V1_IndicatorsPart()
        part.area = latest.area
        part.latestValues = latest.values
        part.attribution = latest.attribution
        var failure = latest.failure
        let answers = await withTaskGroup(of: Result<Isid_Indicators_V1_ProgressAssessment, RPCError>.self) { group in
            for value in latest.values {
                group.addTask {
                    await CountryProfileService.result {
                        try await caller.unary(
                            Service.Method.getProgress,
                            Isid_Indicators_V1_GetProgressRequest.with {
                                $0.areaCode = code
                                $0.seriesCode = value.seriesCode
                            },
                            Isid_Indicators_V1_ProgressAssessment.self
                        )
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        for answer in answers {
            switch answer {
            case .success(let assessment): part.progress.append(assessment)
            case .failure(let error): if failure == nil { failure = error }
            }
        }
        part.progress.sort { $0.seriesCode < $1.seriesCode }
        part.status = CountryProfileService.status(failure)
        return part
    }

    /// The economy's score and rank in the composite. Without a year: the newest year among its latest values,
    /// and if it is not scored then, once more at the newest year all of the composite's components (which
    /// the first answer names) have a value for it.
    static func index(
        area code: String,
        year requested: Int32,
        lag: Int32,
        latest: Latest,
        caller: UpstreamCaller
    ) async -> Isid_Gateway_V1_IndexPart {
        var part = Isid_Gateway_V1_IndexPart()
        do {
            var year = requested
            var values: [Isid_Indicators_V1_Observation] = []
            if year == 0 {
                if let failure = latest.failure, latest.values.isEmpty { throw failure }
                values = latest.values
                guard let newest = values.map(\.year).max() else {
                    throw RPCError(code: .notFound, message: "\(code) has no values to choose an index year by")
                }
                year = newest
            }
            var answer = try await index(year: year, lag: lag, caller: caller)
            if requested == 0, !answer.scores.contains(where: { $0.areaCode == code }) {
                let components = Set(answer.bounds.map(\.seriesCode))
                    .union(answer.unscored.first { $0.areaCode == code }?.missingSeriesCodes ?? [])
                let years = values.filter { components.contains($0.seriesCode) }.map(\.year)
                if years.count == components.count, let common = years.min(), common != year {
                    year = common
                    answer = try await index(year: year, lag: lag, caller: caller)
                }
            }
            part.indexName = answer.indexName
            part.methodReference = answer.methodReference
            part.year = answer.year
            part.scoredEconomies = Int32(answer.scores.count)
            if let score = answer.scores.first(where: { $0.areaCode == code }) {
                part.score = score
            } else {
                part.missingSeriesCodes =
                    answer.unscored.first { $0.areaCode == code }?.missingSeriesCodes
                    ?? answer.bounds.map(\.seriesCode)
            }
            part.status = CountryProfileService.status(nil)
        } catch {
            part.status = CountryProfileService.status(RPCError(from: error))
        }
        return part
    }

    private static func index(
        year: Int32,
        lag: Int32,
        caller: UpstreamCaller
    ) async throws(RPCError) -> Isid_Indicators_V1_GetSdg9IndexResponse {
        try await caller.unary(
            Service.Method.getSdg9Index,
            Isid_Indicators_V1_GetSdg9IndexRequest.with {
                $0.year = year
                $0.maxComponentLagYears = lag
            },
            Isid_Indicators_V1_GetSdg9IndexResponse.self
        )
    }
}
