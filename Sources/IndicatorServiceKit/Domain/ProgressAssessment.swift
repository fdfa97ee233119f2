#if canImport(Glibc)
import Glibc
#endif

/// Progress towards 2030 of one series in one area, by the UN Statistics Division's progress-chart method
/// (Progress Chart Technical Note 2022, thresholds as re-implemented publicly; see
/// docs/methods/progress-to-2030.md). Every input is kept so the category can be recomputed by hand.
public struct ProgressAssessment: Sendable, Hashable {
    public enum Method: String, Sendable, Hashable {
        case numericTarget
        case noNumericTarget
    }

    public enum Category: String, Sendable, Hashable {
        case targetAchieved
        case substantialProgress
        case fairProgress
        case limitedProgress
        case deterioration
        case insufficientData
    }

    public static let baselineYear = 2015
    public static let targetYear = 2030
    public static let reference = "docs/methods/progress-to-2030.md"

    public var areaCode: String
    public var seriesCode: String
    public var method: Method
    public var category: Category
    public var better: BetterDirection?
    public var baselineValue: Double?
    public var latestYear: Int?
    public var latestValue: Double?
    public var actualCAGR: Double?
    public var directionAdjustedCAGR: Double?
    public var targetValue: Double?
    public var requiredCAGR: Double?
    public var growthRatio: Double?
    public var explanation: String

    /// The only numeric SDG 9 industry target: 9.2.1 "double its share in least developed countries", i.e.
    /// MVA as a share of GDP in an LDC (or the LDC aggregate, M49 199) should reach 2 x its 2015 value.
    public static func hasNumericTarget(seriesCode: String, area: AreaInfo) -> Bool {
        seriesCode == "NV_IND_MANF" && (area.ldc || area.code == "199")
    }

    /// Assesses `values` (year -> value) of a series in an area.
    public static func assess(series: SeriesInfo, area: AreaInfo, values: [Int: Double]) -> ProgressAssessment {
        let numeric = hasNumericTarget(seriesCode: series.code, area: area)
        var result = ProgressAssessment(
            areaCode: area.code,
            seriesCode: series.code,
            method: numeric ? .numericTarget : .noNumericTarget,
            category: .insufficientData,
            better: series.better,
            explanation: ""
        )
        result.baselineValue = values[baselineYear]
        if let latest = values.keys.filter({ $0 > baselineYear }).max() {
            result.latestYear = latest
            result.latestValue = values[latest]
        }
        guard let base = result.baselineValue else {
            result.explanation = "No value in the baseline year \(baselineYear)."
            return result
        }
        guard let latestYear = result.latestYear, let latest = result.latestValue else {
            result.explanation = "No value after the baseline year \(baselineYear)."
            return result
        }
        if numeric { result.targetValue = 2 * base }
        guard base > 0, latest > 0 else {
            result.explanation = "A growth rate needs positive baseline and latest values."
            return result
        }
        let actual = pow(latest / base, 1 / Double(latestYear - baselineYear)) - 1
        result.actualCAGR = actual
        if numeric {
            return assessAgainstTarget(result, base: base, latest: latest, actual: actual)
        }
        guard let better = series.better else {
            result.explanation = "The series has no better direction, so growth cannot be judged."
            return result
        }
        let adjusted = better == .lower ? -actual : actual
        result.directionAdjustedCAGR = adjusted
        let percent = formatPercent(adjusted)
        switch adjusted {
        case let rate where rate > 0.01:
            result.category = .substantialProgress
            result.explanation = "Direction-adjusted growth \(percent) a year is above 1%."
        case let rate where rate > 0.005:
            result.category = .fairProgress
            result.explanation = "Direction-adjusted growth \(percent) a year is above 0.5% and at most 1%."
        case let rate where rate >= -0.01:
            result.category = .limitedProgress
            result.explanation = "Direction-adjusted growth \(percent) a year is between -1% and 0.5%."
        default:
            result.category = .deterioration
            result.explanation = "Direction-adjusted growth \(percent) a year is below -1%."
        }
        return result
    }

    private static func assessAgainstTarget(
        _ partial: ProgressAssessment,
        base: Double,
        latest: Double,
        actual: Double
    ) -> ProgressAssessment {
        var result = partial
        let target = 2 * base
        let required = pow(target / base, 1 / Double(targetYear - baselineYear)) - 1
        result.requiredCAGR = required
        let ratio = actual / required
        result.growthRatio = ratio
        let inputs =
            "actual growth \(formatPercent(actual)) / required \(formatPercent(required)) = "
            + formatNumber(ratio)
        if latest >= target {
            result.category = .targetAchieved
            result.explanation = "The latest value has reached the target (2 x the 2015 value)."
        } else if ratio >= 0.95 {
            result.category = .substantialProgress
            result.explanation = "\(inputs), at least 0.95."
        } else if ratio >= 0.5 {
            result.category = .fairProgress
            result.explanation = "\(inputs), from 0.5 to below 0.95."
        } else if ratio >= -0.1 {
            result.category = .limitedProgress
            result.explanation = "\(inputs), from -0.1 to below 0.5."
        } else {
            result.category = .deterioration
            result.explanation = "\(inputs), below -0.1."
        }
        return result
    }

    static func formatPercent(_ rate: Double) -> String { formatNumber(rate * 100) + "%" }

    /// Four decimals, no Foundation.
    static func formatNumber(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded()
        let sign = scaled < 0 ? "-" : ""
        let magnitude = Int64(abs(scaled))
        let fraction = String(magnitude % 10_000)
        return "\(sign)\(magnitude / 10_000).\(String(repeating: "0", count: 4 - fraction.count))\(fraction)"
    }
}
