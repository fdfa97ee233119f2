#if canImport(Glibc)
import Glibc
#endif

/// The Isid SDG-9 composite for one reference year. Pure computation over the values it is given.
///
/// 1. For each economy and component, the value of the most recent year in
///    [year - maxLagYears, year] (the year it came from is kept).
/// 2. Economies missing any component get no score (complete-case rule) and are listed as unscored.
/// 3. Per component, min-max normalisation over the scored sample of that reference year:
///    n = (x - min) / (max - min) for higher-is-better, n = (max - x) / (max - min) for lower-is-better;
///    when max == min every economy gets n = 1.
/// 4. Score = sum(w_i * n_i) (arithmetic) or prod(m_i ^ w_i) with m_i = 0.01 + 0.99 * n_i (geometric).
/// 5. Rank 1 = highest score; equal scores share the better rank.
public enum SDG9Index {
    public struct ComponentScore: Sendable, Hashable {
        public var seriesCode: String
        public var year: Int
        public var value: Double
        public var normalized: Double
        public var weight: Double
    }

    public struct Score: Sendable, Hashable {
        public var areaCode: String
        public var score: Double
        public var rank: Int
        public var components: [ComponentScore]
    }

    public struct Bounds: Sendable, Hashable {
        public var seriesCode: String
        public var better: BetterDirection
        public var min: Double
        public var max: Double
        public var minAreaCode: String
        public var maxAreaCode: String
    }

    public struct Unscored: Sendable, Hashable {
        public var areaCode: String
        public var missingSeriesCodes: [String]
    }

    public struct Result: Sendable, Hashable {
        public var year: Int
        public var method: SDG9IndexMethod
        public var bounds: [Bounds]
        /// By rank, then area code.
        public var scores: [Score]
        /// By area code.
        public var unscored: [Unscored]
    }

    /// One observed value of a component.
    public struct Input: Sendable, Hashable {
        public var areaCode: String
        public var seriesCode: String
        public var year: Int
        public var value: Double

        public init(areaCode: String, seriesCode: String, year: Int, value: Double) {
            self.areaCode = areaCode
            self.seriesCode = seriesCode
            self.year = year
            self.value = value
        }
    }

    public static func compute(year: Int, method: SDG9IndexMethod, inputs: [Input]) -> Result {
        let components = SDG9IndexMethod.components
        let earliest = year - method.maxLagYears
        // Step 1: the most recent value in the window per (area, component).
        var chosen: [String: [String: (year: Int, value: Double)]] = [:]
        for input in inputs where input.year >= earliest && input.year <= year {
            let current = chosen[input.areaCode]?[input.seriesCode]
            if current == nil || current!.year < input.year {
                chosen[input.areaCode, default: [:]][input.seriesCode] = (input.year, input.value)
            }
        }
        // Step 2: complete cases only.
        var complete: [String] = []
        var unscored: [Unscored] = []
        for area in chosen.keys.sorted() {
            let missing = components.map(\.seriesCode).filter { chosen[area]?[$0] == nil }
            if missing.isEmpty {
                complete.append(area)
            } else {
                unscored.append(Unscored(areaCode: area, missingSeriesCodes: missing))
            }
        }
        // Step 3: bounds over the scored sample.
        var bounds: [Bounds] = []
        if !complete.isEmpty {
            for component in components {
                var low = (area: complete[0], value: chosen[complete[0]]![component.seriesCode]!.value)
                var high = low
                for area in complete.dropFirst() {
                    let value = chosen[area]![component.seriesCode]!.value
                    if value < low.value { low = (area, value) }
                    if value > high.value { high = (area, value) }
                }
                bounds.append(
                    Bounds(
                        seriesCode: component.seriesCode,
                        better: component.better,
                        min: low.value,
                        max: high.value,
                        minAreaCode: low.area,
                        maxAreaCode: high.area
                    )
                )
            }
        }
        // Step 4: normalise and aggregate.
        var scores: [Score] = complete.map { area in
            var parts: [ComponentScore] = []
            for (component, bound) in zip(components, bounds) {
                let (componentYear, value) = chosen[area]![component.seriesCode]!
                parts.append(
                    ComponentScore(
                        seriesCode: component.seriesCode,
                        year: componentYear,
                        value: value,
                        normalized: normalize(value, bounds: bound),
                        weight: method.weights[component.seriesCode] ?? 0
                    )
                )
            }
            return Score(areaCode: area, score: aggregate(parts, method.aggregation), rank: 0, components: parts)
        }
        // Step 5: rank.
        scores.sort { $0.score != $1.score ? $0.score > $1.score : $0.areaCode < $1.areaCode }
        for position in scores.indices {
            let tiesPrevious = position > 0 && scores[position].score == scores[position - 1].score
            scores[position].rank = tiesPrevious ? scores[position - 1].rank : position + 1
        }
        return Result(year: year, method: method, bounds: bounds, scores: scores, unscored: unscored)
    }

    public static func normalize(_ value: Double, bounds: Bounds) -> Double {
        let range = bounds.max - bounds.min
        guard range > 0 else { return 1 }
        switch bounds.better {
        case .higher: return (value - bounds.min) / range
        case .lower: return (bounds.max - value) / range
        }
    }

    public static func aggregate(_ parts: [ComponentScore], _ aggregation: SDG9IndexMethod.Aggregation) -> Double {
        switch aggregation {
        case .arithmetic:
            return parts.reduce(0) { $0 + $1.weight * $1.normalized }
        case .geometric:
            let floor = SDG9IndexMethod.geometricFloor
            return parts.reduce(1) { product, part in
                product * pow(floor + (1 - floor) * part.normalized, part.weight)
            }
        }
    }
}
