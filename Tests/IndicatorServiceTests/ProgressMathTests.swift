import IndicatorServiceKit
import Testing

/// Progress to 2030 against values computed by hand from real rows (Data/sdg9/sdg9_observations.csv).
@Suite("Progress to 2030 maths")
struct ProgressMathTests {
    static let manf = SeriesInfo(
        code: "NV_IND_MANF",
        sdgIndicator: "9.2.1",
        description: "",
        unit: "PERCENT",
        unitDescription: "",
        better: .higher,
        directionNote: "",
        custodian: "UNIDO"
    )
    static let co2 = SeriesInfo(
        code: "EN_ATM_CO2MVA",
        sdgIndicator: "9.4.1",
        description: "",
        unit: "KG_PER_CON_USD",
        unitDescription: "",
        better: .lower,
        directionNote: "",
        custodian: "UNIDO; IEA"
    )

    static func economy(_ code: String, ldc: Bool) -> AreaInfo {
        var area = AreaInfo(code: code, kind: .economy, name: code, unSDGName: code, m49: "000")
        area.ldc = ldc
        return area
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let area: String
        let ldc: Bool
        let co2: Bool
        let values: [Int: Double]
        let cagr: Double
        let ratio: Double?
        let category: ProgressAssessment.Category
        var testDescription: String { "\(area) \(co2 ? "EN_ATM_CO2MVA" : "NV_IND_MANF")" }
    }

    static let cases: [Case] = [
        // DEU MVA share: (19.98 / 20.35)^(1/7) - 1 = -0.2618% a year: between -1% and 0.5% -> limited.
        Case(
            area: "DEU",
            ldc: false,
            co2: false,
            values: [2015: 20.35, 2021: 19.91, 2022: 19.98],
            cagr: -0.002618,
            ratio: nil,
            category: .limitedProgress
        ),
        // DEU CO2/MVA: (0.126 / 0.137)^(1/5) - 1 = -1.66%, lower is better so +1.66% > 1% -> substantial.
        Case(
            area: "DEU",
            ldc: false,
            co2: true,
            values: [2015: 0.137, 2019: 0.119, 2020: 0.126],
            cagr: -0.0166,
            ratio: nil,
            category: .substantialProgress
        ),
        // BGD (LDC) MVA share, target 2 x 19.71 = 39.42: actual (23.9 / 19.71)^(1/7) - 1 = 2.7919%,
        // required 2^(1/15) - 1 = 4.7294%, ratio 0.59032: 0.5 <= r < 0.95 -> fair.
        Case(
            area: "BGD",
            ldc: true,
            co2: false,
            values: [2015: 19.71, 2022: 23.9],
            cagr: 0.027919,
            ratio: 0.59032,
            category: .fairProgress
        ),
        // BGD CO2/MVA: (0.232 / 0.307)^(1/5) - 1 = -5.4482% -> +5.45% -> substantial.
        Case(
            area: "BGD",
            ldc: true,
            co2: true,
            values: [2015: 0.307, 2020: 0.232],
            cagr: -0.054482,
            ratio: nil,
            category: .substantialProgress
        ),
        // ETH (LDC) MVA share: (5.6 / 4.4)^(1/7) - 1 = 3.5052%, ratio 0.74115 -> fair.
        Case(
            area: "ETH",
            ldc: true,
            co2: false,
            values: [2015: 4.4, 2016: 4.85, 2022: 5.6],
            cagr: 0.035052,
            ratio: 0.74115,
            category: .fairProgress
        ),
        // ETH CO2/MVA: (1.045 / 1.299)^(1/5) - 1 = -4.2582% -> substantial.
        Case(
            area: "ETH",
            ldc: true,
            co2: true,
            values: [2015: 1.299, 2020: 1.045],
            cagr: -0.042582,
            ratio: nil,
            category: .substantialProgress
        ),
    ]

    @Test("UNSD progress-chart categories and every input echoed", arguments: cases)
    func assess(_ item: Case) throws {
        let series = item.co2 ? Self.co2 : Self.manf
        let result = ProgressAssessment.assess(
            series: series,
            area: Self.economy(item.area, ldc: item.ldc),
            values: item.values
        )
        #expect(result.category == item.category)
        #expect(result.baselineValue == item.values[2015])
        #expect(result.latestYear == item.values.keys.max())
        #expect(abs(try #require(result.actualCAGR) - item.cagr) < 1e-6)
        if let ratio = item.ratio {
            #expect(result.method == .numericTarget)
            #expect(result.targetValue == 2 * item.values[2015]!)
            #expect(abs(try #require(result.requiredCAGR) - 0.047294) < 1e-6)
            #expect(abs(try #require(result.growthRatio) - ratio) < 1e-5)
        } else {
            #expect(result.method == .noNumericTarget)
            let adjusted = try #require(result.directionAdjustedCAGR)
            #expect(abs(adjusted - (item.co2 ? -item.cagr : item.cagr)) < 1e-6)
        }
    }

    @Test("no 2015 value or nothing after it: insufficient data")
    func insufficient() {
        let area = Self.economy("XXX", ldc: false)
        #expect(
            ProgressAssessment.assess(series: Self.manf, area: area, values: [2016: 1]).category == .insufficientData
        )
        #expect(
            ProgressAssessment.assess(series: Self.manf, area: area, values: [2015: 1]).category == .insufficientData
        )
        #expect(
            ProgressAssessment.assess(series: Self.manf, area: area, values: [2015: 0, 2020: 1]).category
                == .insufficientData
        )
    }

    @Test("an LDC that has doubled its share has achieved the target")
    func achieved() {
        let result = ProgressAssessment.assess(
            series: Self.manf,
            area: Self.economy("ZZZ", ldc: true),
            values: [2015: 5, 2020: 10.5]
        )
        #expect(result.category == .targetAchieved)
    }
}
