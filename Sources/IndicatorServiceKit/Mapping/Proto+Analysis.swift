import IndicatorsAPI
import ProtobufRuntime

extension Isid_Indicators_V1_GetSdg9IndexResponse {
    init(_ result: SDG9Index.Result, names: [String: String]) {
        self.init()
        indexName = SDG9IndexMethod.name
        methodReference = SDG9IndexMethod.reference
        year = Int32(result.year)
        aggregation = result.method.aggregation == .arithmetic ? .arithmetic : .geometric
        maxComponentLagYears = Int32(result.method.maxLagYears)
        attribution = DataAttribution.text
        bounds = result.bounds.map { bound in
            .with {
                $0.seriesCode = bound.seriesCode
                $0.better = .init(bound.better)
                $0.min = bound.min
                $0.max = bound.max
                $0.minAreaCode = bound.minAreaCode
                $0.maxAreaCode = bound.maxAreaCode
            }
        }
        scores = result.scores.map { score in
            .with {
                $0.areaCode = score.areaCode
                $0.areaName = names[score.areaCode] ?? ""
                $0.score = score.score
                $0.rank = Int32(score.rank)
                $0.components = score.components.map { part in
                    .with {
                        $0.seriesCode = part.seriesCode
                        $0.year = Int32(part.year)
                        $0.value = part.value
                        $0.normalized = part.normalized
                        $0.weight = part.weight
                    }
                }
            }
        }
        unscored = result.unscored.map { item in
            .with {
                $0.areaCode = item.areaCode
                $0.missingSeriesCodes = item.missingSeriesCodes
            }
        }
    }
}

extension Isid_Indicators_V1_ProgressAssessment {
    init(_ assessment: ProgressAssessment) {
        self.init()
        areaCode = assessment.areaCode
        seriesCode = assessment.seriesCode
        method = assessment.method == .numericTarget ? .numericTarget : .noNumericTarget
        category =
            switch assessment.category {
            case .targetAchieved: .targetAchieved
            case .substantialProgress: .substantialProgress
            case .fairProgress: .fairProgress
            case .limitedProgress: .limitedProgress
            case .deterioration: .deterioration
            case .insufficientData: .insufficientData
            }
        better = .init(assessment.better)
        baselineYear = Int32(ProgressAssessment.baselineYear)
        targetYear = Int32(ProgressAssessment.targetYear)
        baselineValue = assessment.baselineValue
        latestYear = assessment.latestYear.map(Int32.init)
        latestValue = assessment.latestValue
        actualCagr = assessment.actualCAGR
        directionAdjustedCagr = assessment.directionAdjustedCAGR
        targetValue = assessment.targetValue
        requiredCagr = assessment.requiredCAGR
        growthRatio = assessment.growthRatio
        explanation = assessment.explanation
        methodReference = ProgressAssessment.reference
    }
}

enum IndexRequestMapping {
    static func method(
        from request: Isid_Indicators_V1_GetSdg9IndexRequest,
        defaultAggregation: SDG9IndexMethod.Aggregation,
        currentYear: Int
    ) throws(IndicatorError) -> SDG9IndexMethod {
        var violations: [ObservationRules.Violation] = []
        if request.year < 2000 || Int(request.year) > currentYear {
            violations.append(.init(field: "year", description: "must be between 2000 and \(currentYear)"))
        }
        var aggregation = defaultAggregation
        switch request.aggregation {
        case .unspecified: break
        case .arithmetic: aggregation = .arithmetic
        case .geometric: aggregation = .geometric
        case .unrecognized(let value):
            violations.append(.init(field: "aggregation", description: "unknown aggregation \(value)"))
        }
        let lag = Int(request.maxComponentLagYears)
        if lag < 0 || lag > SDG9IndexMethod.maxLagLimit {
            violations.append(
                .init(field: "max_component_lag_years", description: "must be 0 to \(SDG9IndexMethod.maxLagLimit)")
            )
        }
        var weights: [String: Double]?
        if !request.weights.isEmpty {
            let expected = Set(SDG9IndexMethod.components.map(\.seriesCode))
            for (code, weight) in request.weights.sorted(by: { $0.key < $1.key }) {
                if !expected.contains(code) {
                    violations.append(.init(field: "weights[\(code)]", description: "not a component of the index"))
                } else if !weight.isFinite || weight < 0 {
                    violations.append(.init(field: "weights[\(code)]", description: "must be finite and >= 0"))
                }
            }
            for code in expected.sorted() where request.weights[code] == nil {
                violations.append(.init(field: "weights[\(code)]", description: "missing: give all five or none"))
            }
            if request.weights.values.reduce(0, +) <= 0 {
                violations.append(.init(field: "weights", description: "must sum to more than 0"))
            }
            weights = request.weights
        }
        if !violations.isEmpty { throw .invalid("invalid index request", violations) }
        return SDG9IndexMethod(aggregation: aggregation, weights: weights, maxLagYears: max(0, lag))
    }
}
