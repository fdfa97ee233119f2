import IndicatorsAPI
import NIOCore
public import ProgrammesAPI
import ProtobufRuntime
public import RPCCore
import StandardProtos

extension ProgrammeHandler {
    /// What is kept back from the caller's deadline to assemble and send the answer after IndicatorService's
    /// parts come back or time out.
    static let answerMargin: Duration = .milliseconds(100)

    /// For each target series: its observations since the programme started and its progress assessment,
    /// asked of IndicatorService concurrently, each part bounded by the caller's deadline less a margin (or
    /// `resultsTimeout` without one). A part that fails or runs out of time is marked with its status and the
    /// rest still come back.
    public func getProgrammeResults(
        request: Isid_Programmes_V1_GetProgrammeResultsRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_ProgrammeResults {
        let stored = try await requireProgramme(request.id)
        let programme = stored.programme
        let fromYear = programme.dates.start?.year ?? 2015
        var timeout = resultsTimeout
        if let deadline = context.deadline {
            let remaining = Duration.nanoseconds((deadline - NIODeadline.now()).nanoseconds) - Self.answerMargin
            timeout = min(timeout, remaining)
        }
        let options = CallOptions(timeout: max(timeout, .zero))
        let indicators = self.indicators
        let targets = programme.targetSeries
        let parts = await withTaskGroup(of: (Int, Isid_Programmes_V1_SeriesResult, String?).self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask {
                    await Self.result(
                        for: target,
                        fromYear: fromYear,
                        indicators: indicators,
                        options: options,
                        index: index
                    )
                }
            }
            return await group.reduce(into: [(Int, Isid_Programmes_V1_SeriesResult, String?)]()) { $0.append($1) }
        }
        let ordered = parts.sorted { $0.0 < $1.0 }
        return .with {
            $0.programmeId = programme.id
            $0.fromYear = Int32(fromYear)
            $0.series = ordered.map(\.1)
            $0.complete = ordered.allSatisfy { $0.1.observationsStatus?.code == 0 && $0.1.progressStatus?.code == 0 }
            $0.attribution = ordered.compactMap(\.2).first ?? ""
        }
    }

    private static func result(
        for target: TargetSeries,
        fromYear: Int,
        indicators: Isid_Indicators_V1_IndicatorService.Client?,
        options: CallOptions,
        index: Int
    ) async -> (Int, Isid_Programmes_V1_SeriesResult, String?) {
        var result = Isid_Programmes_V1_SeriesResult()
        result.target = .with {
            $0.seriesCode = target.seriesCode
            $0.areaCode = target.areaCode
            $0.baselineYear = target.baselineYear.map(Int32.init)
            $0.baselineValue = target.baselineValue
            $0.targetYear = target.targetYear.map(Int32.init)
            $0.targetValue = target.targetValue
        }
        guard let indicators else {
            let unavailable = status(RPCError(code: .unavailable, message: "no IndicatorService is configured"))
            result.observationsStatus = unavailable
            result.progressStatus = unavailable
            return (index, result, nil)
        }
        async let observations = call {
            try await indicators.queryObservations(
                .with {
                    $0.seriesCodes = [target.seriesCode]
                    $0.areaCodes = [target.areaCode]
                    $0.fromYear = Int32(fromYear)
                    $0.pageSize = 1000
                },
                options: options
            )
        }
        async let progress = call {
            try await indicators.getProgress(
                .with {
                    $0.seriesCode = target.seriesCode
                    $0.areaCode = target.areaCode
                },
                options: options
            )
        }
        var attribution: String?
        switch await observations {
        case .success(let answer):
            result.observations = answer.observations
            result.observationsStatus = .with { $0.code = 0 }
            attribution = answer.attribution
        case .failure(let error):
            result.observationsStatus = status(error)
        }
        switch await progress {
        case .success(let answer):
            result.progress = answer
            result.progressStatus = .with { $0.code = 0 }
        case .failure(let error):
            result.progressStatus = status(error)
        }
        return (index, result, attribution)
    }

    private static func call<Answer: Sendable>(
        _ body: @Sendable () async throws -> Answer
    ) async -> Result<Answer, RPCError> {
        do {
            return .success(try await body())
        } catch {
            return .failure(RPCError(from: error))
        }
    }

    private static func status(_ error: RPCError) -> Isid_Programmes_V1_PartStatus {
        .with {
            $0.code = Int32(error.code.rawValue)
            $0.message = error.message
        }
    }
}
