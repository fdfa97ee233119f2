import ProgrammeServiceKit
import Testing

@Suite("Exact money")
struct MoneyTests {
    let usd = Currency(code: "USD")!
    let jpy = Currency(code: "JPY")!
    let kwd = Currency(code: "KWD")!
    let eur = Currency(code: "EUR")!

    @Test(
        "each currency counts in its own minor unit",
        arguments: [("USD", 2), ("EUR", 2), ("JPY", 0), ("XOF", 0), ("KWD", 3), ("BHD", 3), ("CLF", 4)]
    )
    func exponents(code: String, exponent: Int) throws {
        #expect(try #require(Currency(code: code)).exponent == exponent)
    }

    @Test("codes that are not current ISO 4217 currencies are refused", arguments: ["usd", "XAU", "ABC", "", "US"])
    func unknownCodes(code: String) {
        #expect(Currency(code: code) == nil)
    }

    @Test(
        "decimal amounts read exactly in each currency's minor units",
        arguments: [
            ("7336.99", "USD", 733_699), ("100", "JPY", 100), ("1.250", "KWD", 1250), ("0.5", "USD", 50),
            ("-12.05", "EUR", -1205), ("1.50", "USD", 150), (".75", "USD", 75), ("1.000", "JPY", 1),
        ] as [(String, String, Int64)]
    )
    func parsesDecimals(text: String, code: String, minorUnits: Int64) throws {
        #expect(try Money(decimal: text, Currency(code: code)!).minorUnits == minorUnits)
    }

    @Test("amounts with more decimals than the currency has, or not numbers, are refused")
    func refusesDecimals() {
        #expect(throws: MoneyError.tooPrecise("1.505", "USD")) { try Money(decimal: "1.505", usd) }
        #expect(throws: MoneyError.tooPrecise("1.5", "JPY")) { try Money(decimal: "1.5", jpy) }
        #expect(throws: MoneyError.malformed("1e3")) { try Money(decimal: "1e3", usd) }
        #expect(throws: MoneyError.malformed("")) { try Money(decimal: "", usd) }
        #expect(throws: MoneyError.overflow("USD")) { try Money(decimal: "99999999999999999999", usd) }
    }

    @Test("amounts print in major units with the currency's decimals")
    func printsDecimals() {
        #expect(Money(733_699, usd).decimalString == "7336.99")
        #expect(Money(-5, usd).decimalString == "-0.05")
        #expect(Money(1000, jpy).decimalString == "1000")
        #expect(Money(1250, kwd).decimalString == "1.250")
    }

    @Test("sums past what a double holds exactly stay exact")
    func exactBeyondDouble() throws {
        // 2^53 + 1 minor units: a Double rounds it to 2^53.
        let big = Money(9_007_199_254_740_993, usd)
        let sum = try big.adding(Money(1, usd))
        #expect(sum.minorUnits == 9_007_199_254_740_994)
        #expect(Double(big.minorUnits) == Double(big.minorUnits - 1))
        var totals = MoneyTotals()
        for _ in 0..<1000 { try totals.add(Money(9_007_199_254_740, usd)) }
        #expect(totals.amounts == [Money(9_007_199_254_740_000, usd)])
    }

    @Test("a sum that does not fit is an error, never a wrapped or rounded number")
    func overflow() {
        #expect(throws: MoneyError.overflow("USD")) { try Money(Int64.max, usd).adding(Money(1, usd)) }
    }

    @Test("amounts of different currencies are never added together")
    func mismatch() {
        #expect(throws: MoneyError.currencyMismatch("USD", "EUR")) { try Money(1, usd).adding(Money(1, eur)) }
        var totals = MoneyTotals()
        #expect(throws: Never.self) {
            try totals.add(Money(100, usd))
            try totals.add(Money(5, jpy))
            try totals.add(Money(250, usd))
        }
        #expect(totals.amounts == [Money(5, jpy), Money(350, usd)])
    }
}

@Suite("Exchange rates")
struct ExchangeRateTests {
    let usd = Currency(code: "USD")!
    let eur = Currency(code: "EUR")!
    let jpy = Currency(code: "JPY")!
    let kwd = Currency(code: "KWD")!
    let date = CalendarDate(year: 2020, month: 1, day: 1)!

    func rate(_ from: Currency, _ to: Currency, _ text: String) throws -> ExchangeRate {
        try ExchangeRate(from: from, to: to, rate: text, date: date, source: "test rates")
    }

    @Test(
        "conversion is exact decimal arithmetic, rounded half to even at the target's minor unit",
        arguments: [
            // EUR 100.00 at 1.0875 = USD 108.75.
            ("EUR", "USD", "1.0875", 10_000, 10_875),
            // JPY 1000 at 0.0091 = USD 9.10.
            ("JPY", "USD", "0.0091", 1000, 910),
            // USD 1.00 at 108.505 = JPY 108.505 -> 109 (half to even would give 108 only at .5 exactly).
            ("USD", "JPY", "108.505", 100, 109),
            // USD 0.01 at 0.5 = 0.005 -> 0.00 (half to even), USD 0.03 at 0.5 = 0.015 -> 0.02.
            ("USD", "EUR", "0.5", 1, 0),
            ("USD", "EUR", "0.5", 3, 2),
            // USD 10.00 at 0.30215 = KWD 3.0215 -> 3.022 (fils).
            ("USD", "KWD", "0.30215", 1000, 3022),
        ] as [(String, String, String, Int64, Int64)]
    )
    func converts(from: String, to: String, rate text: String, amount: Int64, expected: Int64) throws {
        let from = Currency(code: from)!
        let to = Currency(code: to)!
        #expect(try rate(from, to, text).convert(Money(amount, from)) == Money(expected, to))
    }

    @Test("a conversion whose result does not fit is an error")
    func overflow() throws {
        #expect(throws: MoneyError.overflow("JPY")) {
            try rate(usd, jpy, "1000").convert(Money(Int64.max / 2, usd))
        }
    }

    @Test("rates must be positive decimals with a source")
    func refusesRates() {
        #expect(throws: ExchangeRateError.notPositive("0")) { try rate(usd, eur, "0") }
        #expect(throws: ExchangeRateError.malformed("-1.2")) { try rate(usd, eur, "-1.2") }
        #expect(throws: ExchangeRateError.malformed("1,2")) { try rate(usd, eur, "1,2") }
        #expect(throws: ExchangeRateError.tooPrecise("1.0000000000001")) { try rate(usd, eur, "1.0000000000001") }
        #expect(throws: ExchangeRateError.missingSource) {
            try ExchangeRate(from: usd, to: eur, rate: "1", date: date, source: " ")
        }
    }
}
