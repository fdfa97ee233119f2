/// How the Isid SDG-9 composite is computed: which components, their directions, weights, aggregation and
/// how far back a component may come from. Written down in docs/methods/sdg9-index.md.
public struct SDG9IndexMethod: Sendable, Hashable {
    public enum Aggregation: String, Sendable, Hashable {
        case arithmetic
        case geometric
    }

    /// A component series and the direction it enters the index with.
    public struct Component: Sendable, Hashable {
        public let seriesCode: String
        public let better: BetterDirection
    }

    /// UNIDO's SDG-9 indicator selection: 9.2.1 (share and per capita), 9.2.2, 9.4.1 (reversed), 9.b.1.
    public static let components: [Component] = [
        Component(seriesCode: "NV_IND_MANF", better: .higher),
        Component(seriesCode: "NV_IND_MANFPC", better: .higher),
        Component(seriesCode: "SL_TLF_MANF", better: .higher),
        Component(seriesCode: "EN_ATM_CO2MVA", better: .lower),
        Component(seriesCode: "NV_IND_TECH", better: .higher),
    ]

    public static let name =
        "Isid SDG-9 composite (our composite following UNIDO's SDG-9 indicator selection; not UNIDO's SDG-9 "
        + "Industry Index)"
    public static let reference = "docs/methods/sdg9-index.md"
    /// Geometric aggregation maps each normalised value n to floor + (1 - floor) * n, so the sample's worst
    /// performer on one component does not zero the whole score.
    public static let geometricFloor = 0.01
    public static let maxLagLimit = 5

    public var aggregation: Aggregation
    /// Weight per component series code, summing to 1.
    public var weights: [String: Double]
    public var maxLagYears: Int

    /// Equal weights, the given aggregation, the reference year only.
    public init(aggregation: Aggregation = .arithmetic, weights: [String: Double]? = nil, maxLagYears: Int = 0) {
        self.aggregation = aggregation
        let raw = weights ?? Dictionary(uniqueKeysWithValues: Self.components.map { ($0.seriesCode, 1.0) })
        let total = raw.values.reduce(0, +)
        self.weights = raw.mapValues { $0 / total }
        self.maxLagYears = maxLagYears
    }
}
