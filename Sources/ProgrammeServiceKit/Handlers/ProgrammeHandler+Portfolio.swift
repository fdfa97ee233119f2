import IsidStorage
public import ProgrammesAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

extension ProgrammeHandler {
    /// How many programmes a summary reads at a time.
    static let summaryPage = 500

    public func getPortfolioSummary(
        request: Isid_Programmes_V1_GetPortfolioSummaryRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_PortfolioSummary {
        var violations = FieldViolations()
        let filter = self.filter(request.filter ?? .init(), violations: &violations)
        var converter: CurrencyConverter?
        if !request.convertTo.isEmpty {
            if let target = Currency(code: request.convertTo) {
                let asOf = input.date(request.asOf, field: "as_of", &violations)
                converter = CurrencyConverter(target: target, asOf: asOf, available: try await store.exchangeRates())
            } else {
                violations.add("convert_to", "\"\(request.convertTo)\" is not a current ISO 4217 currency code")
            }
        }
        try violations.check()
        let revision = try await store.currentRevision()
        let summary = try await portfolioSummaries.answer(for: filter, at: revision) {
            try await addUp(matching: filter)
        }
        func groups(_ groups: [String: PortfolioSummary.Group]) throws -> [Isid_Programmes_V1_PortfolioGroup] {
            try groups.keys.sorted().map { try group(groups[$0]!, converter: converter) }
        }
        return try .with {
            $0.total = try group(summary.total, converter: converter)
            $0.byStatus = try groups(summary.byStatus)
            $0.byPartner = try groups(summary.byPartner)
            $0.byPartnerType = try groups(summary.byPartnerType)
            $0.byCountry = try groups(summary.byCountry)
            $0.bySdgGoal = try groups(summary.bySDGGoal)
            $0.byYear = try groups(summary.byYear)
            $0.ratesUsed =
                converter.map { $0.rates.keys.sorted { $0.code < $1.code }.map { rate(converter!.rates[$0]!) } } ?? []
        }
    }

    /// Reads every programme matching `filter`, a page at a time, and adds up their money.
    private func addUp(matching filter: ProgrammeFilter) async throws -> PortfolioSummary {
        var summary = PortfolioSummary()
        var after: String?
        while true {
            let page = try await store.programmes(matching: filter, afterID: after, limit: Self.summaryPage)
            for stored in page {
                do {
                    try summary.add(stored.programme)
                } catch {
                    throw RPCError(code: .outOfRange, message: "a portfolio total does not fit: \(error)")
                }
            }
            guard page.count == Self.summaryPage, let last = page.last else { return summary }
            after = last.programme.id
        }
    }

    private func group(
        _ group: PortfolioSummary.Group,
        converter: CurrencyConverter?
    ) throws -> Isid_Programmes_V1_PortfolioGroup {
        func totals(_ totals: MoneyTotals) throws -> Isid_Programmes_V1_MoneyTotals {
            var out = Isid_Programmes_V1_MoneyTotals()
            out.amounts = totals.amounts.map(output.money)
            if let converter {
                do {
                    let (converted, missing) = try converter.convert(totals)
                    if let converted { out.converted = output.money(converted) }
                    out.unconvertedCurrencies = missing
                } catch {
                    throw RPCError(code: .outOfRange, message: "a converted total does not fit: \(error)")
                }
            }
            return out
        }
        return try .with {
            $0.key = group.key
            $0.programmeCount = Int32(group.programmes.count)
            $0.funding = try totals(group.funding)
            $0.budget = try totals(group.budget)
            $0.spent = try totals(group.spent)
        }
    }

    public func putExchangeRates(
        request: Isid_Programmes_V1_PutExchangeRatesRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_PutExchangeRatesResponse {
        var violations = FieldViolations()
        var rates: [ExchangeRate] = []
        if request.rates.isEmpty { violations.add("rates", "at least one rate") }
        for (index, proto) in request.rates.enumerated() {
            let field = "rates[\(index)]"
            let from = Currency(code: proto.fromCurrency)
            let to = Currency(code: proto.toCurrency)
            if from == nil { violations.add("\(field).from_currency", "not a current ISO 4217 currency code") }
            if to == nil { violations.add("\(field).to_currency", "not a current ISO 4217 currency code") }
            if from != nil, from == to { violations.add("\(field).to_currency", "the same currency as from_currency") }
            let date = input.date(proto.date, field: "\(field).date", &violations)
            if date == nil && proto.date == nil { violations.add("\(field).date", "required") }
            guard let from, let to, let date, from != to else { continue }
            do {
                rates.append(try ExchangeRate(from: from, to: to, rate: proto.rate, date: date, source: proto.source))
            } catch {
                violations.add(error == .missingSource ? "\(field).source" : "\(field).rate", error.description)
            }
        }
        try violations.check()
        let stored = try await store.putExchangeRates(rates)
        return .with { $0.stored = Int32(stored) }
    }

    public func listExchangeRates(
        request: Isid_Programmes_V1_ListExchangeRatesRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_ListExchangeRatesResponse {
        let rates = try await store.exchangeRates().filter {
            request.toCurrency.isEmpty || $0.to.code == request.toCurrency
        }
        return .with { $0.rates = rates.map(rate) }
    }

    private func rate(_ rate: ExchangeRate) -> Isid_Programmes_V1_ExchangeRate {
        .with {
            $0.fromCurrency = rate.from.code
            $0.toCurrency = rate.to.code
            $0.rate = rate.decimalString
            $0.date = output.date(rate.date)
            $0.source = rate.source
        }
    }
}
