/// Totals of a set of programmes, grouped several ways, per currency and exactly; converted into one
/// currency only with rates the caller stored (never built in).
public struct PortfolioSummary: Sendable {
    /// The totals of one group.
    public struct Group: Sendable {
        public let key: String
        public var programmes: Set<String> = []
        public var funding = MoneyTotals()
        public var budget = MoneyTotals()
        public var spent = MoneyTotals()
    }

    public private(set) var total = Group(key: "")
    public private(set) var byStatus: [String: Group] = [:]
    public private(set) var byPartner: [String: Group] = [:]
    public private(set) var byPartnerType: [String: Group] = [:]
    public private(set) var byCountry: [String: Group] = [:]
    public private(set) var bySDGGoal: [String: Group] = [:]
    public private(set) var byYear: [String: Group] = [:]

    public init() {}

    /// Adds one programme's money to every group it belongs to. Throws when a total overflows.
    public mutating func add(_ programme: Programme) throws(MoneyError) {
        let id = programme.id
        var funding = MoneyTotals()
        for line in programme.funding { try funding.add(line.amount) }
        var budget = MoneyTotals()
        for item in programme.budgets { try budget.add(item.value) }
        var spent = MoneyTotals()
        for transaction in programme.transactions where transaction.type.isSpending { try spent.add(transaction.value) }
        let whole = (funding: funding, budget: budget, spent: spent)
        try Self.add(whole, id: id, to: &total)
        try Self.add(whole, id: id, key: programme.status.apiName, to: &byStatus)
        for country in Set(programme.countries.map(\.code)) {
            try Self.add(whole, id: id, key: country, to: &byCountry)
        }
        for goal in Set(
            programme.sdgGoals.map(String.init)
                + programme.sdgTargets.compactMap { $0.split(separator: ".").first.map(String.init) }
        ) {
            try Self.add(whole, id: id, key: goal, to: &bySDGGoal)
        }
        // By partner: each partner's own lines, not the programme's whole money.
        for line in programme.funding {
            var part = MoneyTotals()
            try part.add(line.amount)
            try Self.add((part, MoneyTotals(), MoneyTotals()), id: id, key: line.partner.name, to: &byPartner)
            try Self.add(
                (part, MoneyTotals(), MoneyTotals()),
                id: id,
                key: line.partner.type.rawValue,
                to: &byPartnerType
            )
        }
        // By year: each amount in the year of its date.
        for line in programme.funding {
            guard let year = line.date?.year else { continue }
            var part = MoneyTotals()
            try part.add(line.amount)
            try Self.add((part, MoneyTotals(), MoneyTotals()), id: id, key: String(year), to: &byYear)
        }
        for item in programme.budgets {
            var part = MoneyTotals()
            try part.add(item.value)
            try Self.add((MoneyTotals(), part, MoneyTotals()), id: id, key: String(item.periodStart.year), to: &byYear)
        }
        for transaction in programme.transactions where transaction.type.isSpending {
            var part = MoneyTotals()
            try part.add(transaction.value)
            try Self.add((MoneyTotals(), MoneyTotals(), part), id: id, key: String(transaction.date.year), to: &byYear)
        }
    }

    private static func add(
        _ money: (funding: MoneyTotals, budget: MoneyTotals, spent: MoneyTotals),
        id: String,
        to group: inout Group
    ) throws(MoneyError) {
        group.programmes.insert(id)
        try group.funding.add(money.funding)
        try group.budget.add(money.budget)
        try group.spent.add(money.spent)
    }

    private static func add(
        _ money: (funding: MoneyTotals, budget: MoneyTotals, spent: MoneyTotals),
        id: String,
        key: String,
        to groups: inout [String: Group]
    ) throws(MoneyError) {
        var group = groups[key] ?? Group(key: key)
        try add(money, id: id, to: &group)
        groups[key] = group
    }
}

/// Rates to convert totals into one currency: for each source currency, the newest stored rate on or before
/// the date asked for.
public struct CurrencyConverter: Sendable {
    public let target: Currency
    public let rates: [Currency: ExchangeRate]

    public init(target: Currency, asOf date: CalendarDate?, available: [ExchangeRate]) {
        self.target = target
        var chosen: [Currency: ExchangeRate] = [:]
        for rate in available where rate.to == target && (date.map { rate.date <= $0 } ?? true) {
            if let known = chosen[rate.from], known.date >= rate.date { continue }
            chosen[rate.from] = rate
        }
        self.rates = chosen
    }

    /// `totals` in the target currency, and the currencies that had no rate (then no sum is given).
    public func convert(_ totals: MoneyTotals) throws(MoneyError) -> (converted: Money?, missing: [String]) {
        var sum = Money.zero(target)
        var missing: [String] = []
        for amount in totals.amounts {
            if amount.currency == target {
                sum = try sum.adding(amount)
            } else if let rate = rates[amount.currency] {
                sum = try sum.adding(rate.convert(amount))
            } else {
                missing.append(amount.currency.code)
            }
        }
        return (missing.isEmpty ? sum : nil, missing)
    }
}
