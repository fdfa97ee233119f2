import IndicatorServiceKit
import Testing

/// The composite against values computed by hand from real rows (Data/sdg9/sdg9_observations.csv, year 2015).
@Suite("SDG-9 composite maths")
struct SDG9IndexMathTests {
    /// 2015 values: NV_IND_MANF (%), NV_IND_MANFPC (USD), SL_TLF_MANF (%), EN_ATM_CO2MVA (kg/USD), NV_IND_TECH (%).
    /// BGD has no SL_TLF_MANF value for 2015 (its values are 2013 and 2016), so it gets no score.
    static let rows: [(String, [String: Double])] = [
        (
            "DEU",
            [
                "NV_IND_MANF": 20.35, "NV_IND_MANFPC": 8320.9, "SL_TLF_MANF": 19.3, "EN_ATM_CO2MVA": 0.137,
                "NV_IND_TECH": 60.7,
            ]
        ),
        (
            "KOR",
            [
                "NV_IND_MANF": 26.61, "NV_IND_MANFPC": 7647.59, "SL_TLF_MANF": 17.5, "EN_ATM_CO2MVA": 0.188,
                "NV_IND_TECH": 60.35,
            ]
        ),
        (
            "MEX",
            [
                "NV_IND_MANF": 17.26, "NV_IND_MANFPC": 1683.2, "SL_TLF_MANF": 16.1, "EN_ATM_CO2MVA": 0.315,
                "NV_IND_TECH": 39.69,
            ]
        ),
        ("BGD", ["NV_IND_MANF": 19.71, "NV_IND_MANFPC": 285.64, "EN_ATM_CO2MVA": 0.307, "NV_IND_TECH": 9.47]),
    ]

    static var inputs: [SDG9Index.Input] {
        rows.flatMap { area, values in
            values.map { SDG9Index.Input(areaCode: area, seriesCode: $0.key, year: 2015, value: $0.value) }
        }
    }

    func component(_ score: SDG9Index.Score, _ code: String) throws -> SDG9Index.ComponentScore {
        try #require(score.components.first { $0.seriesCode == code })
    }

    @Test("min-max per year over the scored sample, CO2 reversed, equal-weight arithmetic mean, ranks")
    func arithmetic() throws {
        let result = SDG9Index.compute(year: 2015, method: SDG9IndexMethod(), inputs: Self.inputs)
        // Bounds: MANF 17.26 (MEX) .. 26.61 (KOR); CO2 0.137 (DEU) .. 0.315 (MEX).
        let manf = try #require(result.bounds.first { $0.seriesCode == "NV_IND_MANF" })
        #expect(manf.min == 17.26 && manf.max == 26.61 && manf.minAreaCode == "MEX" && manf.maxAreaCode == "KOR")
        let co2 = try #require(result.bounds.first { $0.seriesCode == "EN_ATM_CO2MVA" })
        #expect(co2.min == 0.137 && co2.max == 0.315 && co2.better == .lower)

        #expect(result.scores.map(\.areaCode) == ["DEU", "KOR", "MEX"])
        #expect(result.scores.map(\.rank) == [1, 2, 3])
        let deu = result.scores[0]
        let kor = result.scores[1]
        // DEU MANF: (20.35 - 17.26) / (26.61 - 17.26) = 3.09 / 9.35 = 0.330481
        #expect(abs(try component(deu, "NV_IND_MANF").normalized - 0.330481) < 1e-6)
        // KOR MANFPC: (7647.59 - 1683.2) / (8320.9 - 1683.2) = 5964.39 / 6637.7 = 0.898563
        #expect(abs(try component(kor, "NV_IND_MANFPC").normalized - 0.898563) < 1e-6)
        // KOR employment: (17.5 - 16.1) / (19.3 - 16.1) = 0.4375
        #expect(abs(try component(kor, "SL_TLF_MANF").normalized - 0.4375) < 1e-9)
        // KOR CO2, reversed: (0.315 - 0.188) / (0.315 - 0.137) = 0.127 / 0.178 = 0.713483
        #expect(abs(try component(kor, "EN_ATM_CO2MVA").normalized - 0.713483) < 1e-6)
        // KOR tech: (60.35 - 39.69) / (60.7 - 39.69) = 20.66 / 21.01 = 0.983341
        #expect(abs(try component(kor, "NV_IND_TECH").normalized - 0.983341) < 1e-6)
        // DEU: 0.2 * (0.330481 + 1 + 1 + 1 + 1) = 0.866096; KOR: 0.2 * 4.032887 = 0.806577; MEX: all 0.
        #expect(abs(deu.score - 0.866096) < 1e-6)
        #expect(abs(kor.score - 0.806577) < 1e-6)
        #expect(result.scores[2].score == 0)
        #expect(deu.components.allSatisfy { $0.year == 2015 && abs($0.weight - 0.2) < 1e-12 })
        // Missing-data rule: no made-up score for BGD.
        #expect(result.unscored.map(\.areaCode) == ["BGD"])
        #expect(result.unscored.first?.missingSeriesCodes == ["SL_TLF_MANF"])
    }

    @Test("geometric aggregation maps each normalised value to 0.01 + 0.99 n before the weighted product")
    func geometric() {
        let result = SDG9Index.compute(
            year: 2015,
            method: SDG9IndexMethod(aggregation: .geometric),
            inputs: Self.inputs
        )
        // DEU: (0.01 + 0.99 * 0.330481)^0.2 = 0.337176^0.2 = 0.804584; KOR: 0.775699; MEX: 0.01^1 = 0.01.
        let scores = Dictionary(uniqueKeysWithValues: result.scores.map { ($0.areaCode, $0.score) })
        #expect(abs(scores["DEU"]! - 0.804584) < 1e-6)
        #expect(abs(scores["KOR"]! - 0.775699) < 1e-6)
        #expect(abs(scores["MEX"]! - 0.01) < 1e-9)
    }

    @Test("a lag window takes each component's most recent year and reports it")
    func lagWindow() throws {
        // BGD employment 2016 = 14.44 is outside a 2015 window, inside a 2017 window with lag 2... but then
        // the other components must exist in 2015..2017 too: give them at 2015 only.
        var inputs = Self.inputs
        inputs.append(SDG9Index.Input(areaCode: "BGD", seriesCode: "SL_TLF_MANF", year: 2016, value: 14.44))
        inputs.append(SDG9Index.Input(areaCode: "BGD", seriesCode: "SL_TLF_MANF", year: 2013, value: 16.36))
        let strict = SDG9Index.compute(year: 2016, method: SDG9IndexMethod(maxLagYears: 0), inputs: inputs)
        #expect(strict.scores.isEmpty)
        let lagged = SDG9Index.compute(year: 2016, method: SDG9IndexMethod(maxLagYears: 1), inputs: inputs)
        let bgd = try #require(lagged.scores.first { $0.areaCode == "BGD" })
        #expect(try component(bgd, "SL_TLF_MANF").year == 2016)
        #expect(try component(bgd, "NV_IND_MANF").year == 2015)
    }
}
