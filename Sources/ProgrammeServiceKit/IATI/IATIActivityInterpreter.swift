/// Turns one `iati-activity` element into a ``Programme``, accepting what a careful reader can interpret
/// (with a warning for each liberty taken) and refusing only what cannot be read.
///
/// What the importer keeps is exactly what the exporter writes back, so import, export and import again
/// give the same programme.
final class IATIActivityInterpreter {
    let file: String
    /// "2.01", "2.02" or "2.03".
    let version: String
    let countries: CountryDirectory
    /// Every liberty taken so far, in document order.
    private(set) var warnings: [IATIWarning] = []

    init(file: String, version: String, countries: CountryDirectory) {
        self.file = file
        self.version = version
        self.countries = countries
    }

    func interpret(_ activity: XMLElementNode) throws(IATIImportError) -> Programme {
        warnForeignAttributes(activity)
        guard let identifier = activity.child("iati-identifier")?.trimmedText, !identifier.isEmpty else {
            throw error(activity, "iati-identifier is missing or empty")
        }
        let language = activity["xml:lang"]?.lowercased()
        let defaultCurrency = try activity["default-currency"].map { code throws(IATIImportError) in
            guard let currency = Currency(code: code.uppercased()) else {
                throw error(activity, "default-currency \"\(code)\" is not an ISO 4217 currency")
            }
            return currency
        }
        guard let titleElement = activity.child("title") else { throw error(activity, "title is missing") }
        let titles = narratives(titleElement)
        guard let title = Self.pick(titles, language: language), !title.isEmpty else {
            throw error(titleElement, "the title has no text")
        }
        let reporting = reportingOrganisation(activity)
        var programme = Programme(
            id: "",
            kind: Self.kind(title: title, hasCountries: !activity.children("recipient-country").isEmpty),
            status: status(activity),
            title: title,
            provenance: Provenance(
                kind: .iati,
                citation: "IATI activity \(identifier) in \(file), reported by "
                    + "\(reporting?.name ?? "an unnamed organisation")"
                    + (reporting?.iatiRef.map { " (\($0))" } ?? "")
            )
        )
        programme.iatiIdentifier = identifier
        programme.defaultLanguage = language
        programme.defaultCurrency = defaultCurrency
        programme.titleNarratives = titles
        programme.descriptions = activity.children("description").map { element in
            DescriptionText(type: element["type"].flatMap { Int($0) } ?? 1, narratives: narratives(element))
        }
        programme.description =
            programme.descriptions.first { $0.type == 1 }.flatMap { Self.pick($0.narratives, language: language) }
            ?? ""
        programme.reportingOrganisation = reporting
        programme.participatingOrganisations = activity.children("participating-org").compactMap(
            participatingOrganisation
        )
        programme.dates = dates(activity)
        programme.countries = activity.children("recipient-country").compactMap(countryShare)
        programme.regions = activity.children("recipient-region").map(regionShare)
        programme.sectors = activity.children("sector").map(sectorShare)
        programme.tags = tags(activity)
        checkShares(activity, programme)
        programme.budgets = try activity.children("budget").map { element throws(IATIImportError) in
            try budget(element, defaultCurrency: defaultCurrency)
        }
        programme.plannedDisbursements = try activity.children("planned-disbursement").map {
            element throws(IATIImportError) in try plannedDisbursement(element, defaultCurrency: defaultCurrency)
        }
        var transactions: [Transaction] = []
        for (index, element) in activity.children("transaction").enumerated() {
            transactions.append(try transaction(element, number: index + 1, defaultCurrency: defaultCurrency))
        }
        programme.transactions = transactions
        if transactions.contains(where: { !$0.countries.isEmpty || !$0.regions.isEmpty }),
            !programme.countries.isEmpty || !programme.regions.isEmpty
        {
            warn(activity, "recipient countries or regions are given for the activity and for transactions too")
        }
        programme.parentIATIIdentifier = activity.children("related-activity").first { $0["type"] == "1" }?["ref"]
        (programme.sdgGoals, programme.sdgTargets) = Self.sdgs(sectors: programme.sectors, tags: programme.tags)
        return programme
    }

    // MARK: Parts

    private func narratives(_ element: XMLElementNode) -> [Narrative] {
        let narratives = element.children("narrative").map { narrative in
            Narrative(language: narrative["xml:lang"]?.lowercased(), text: narrative.trimmedText)
        }
        return narratives.filter { !$0.text.isEmpty }
    }

    /// The text in `language` (or with no language, i.e. the default), else the first.
    private static func pick(_ narratives: [Narrative], language: String?) -> String? {
        narratives.first { $0.language == nil || $0.language == language }?.text ?? narratives.first?.text
    }

    private func reportingOrganisation(_ activity: XMLElementNode) -> ParticipatingOrganisation? {
        guard let element = activity.child("reporting-org") else {
            warn(activity, "reporting-org is missing")
            return nil
        }
        if element["ref"] == nil { warn(element, "reporting-org has no @ref") }
        return ParticipatingOrganisation(
            role: nil,
            name: Self.pick(narratives(element), language: nil) ?? "",
            iatiRef: element["ref"],
            iatiType: element["type"]
        )
    }

    /// An organisation without a valid role cannot be placed (IATI requires the role): left out, with a warning.
    private func participatingOrganisation(_ element: XMLElementNode) -> ParticipatingOrganisation? {
        guard let role = element["role"].flatMap({ Int($0) }).flatMap(OrganisationRole.init(rawValue:)) else {
            warn(element, "participating-org has no valid @role (1 to 4); ignored")
            return nil
        }
        return ParticipatingOrganisation(
            role: role,
            name: Self.pick(narratives(element), language: nil) ?? "",
            iatiRef: element["ref"],
            iatiType: element["type"]
        )
    }

    private func status(_ activity: XMLElementNode) -> ProgrammeStatus {
        guard let element = activity.child("activity-status") else {
            warn(activity, "activity-status is missing; read as pipeline")
            return .pipeline
        }
        guard let status = element["code"].flatMap({ Int($0) }).flatMap(ProgrammeStatus.init(iatiCode:)) else {
            warn(element, "activity-status code \"\(element["code"] ?? "")\" is not 1 to 6; read as pipeline")
            return .pipeline
        }
        return status
    }

    private func dates(_ activity: XMLElementNode) -> ProgrammeDates {
        var dates = ProgrammeDates()
        for element in activity.children("activity-date") {
            guard let date = element["iso-date"].flatMap(CalendarDate.init(iso:)) else {
                warn(element, "activity-date has no valid @iso-date; ignored")
                continue
            }
            switch element["type"] {
            case "1": dates.plannedStart = date
            case "2": dates.actualStart = date
            case "3": dates.plannedEnd = date
            case "4": dates.actualEnd = date
            default: warn(element, "activity-date @type \"\(element["type"] ?? "")\" is not 1 to 4; ignored")
            }
        }
        if let start = dates.plannedStart, let end = dates.plannedEnd, end < start {
            warn(activity, "the planned end \(end) is before the planned start \(start)")
        }
        return dates
    }

    private func countryShare(_ element: XMLElementNode) -> CountryShare? {
        guard let code = element["code"], let entry = countries.entry(alpha2: code) else {
            warn(element, "recipient-country \"\(element["code"] ?? "")\" is not a known ISO 3166-1 code; ignored")
            return nil
        }
        return CountryShare(code: entry.alpha3, percentage: percentage(element))
    }

    private func regionShare(_ element: XMLElementNode) -> RegionShare {
        RegionShare(
            code: element["code"] ?? "",
            vocabulary: element["vocabulary"] ?? "1",
            percentage: percentage(element)
        )
    }

    private func sectorShare(_ element: XMLElementNode) -> SectorShare {
        SectorShare(
            code: element["code"] ?? "",
            vocabulary: element["vocabulary"] ?? "1",
            percentage: percentage(element)
        )
    }

    private func tags(_ activity: XMLElementNode) -> [Tag] {
        let elements = activity.children("tag")
        if !elements.isEmpty, version != "2.03" {
            warn(elements[0], "tag is new in IATI 2.03 but the file declares \(version); read as 2.03")
        }
        return elements.compactMap { element in
            guard let code = element["code"] else {
                warn(element, "tag has no @code; ignored")
                return nil
            }
            return Tag(code: code, vocabulary: element["vocabulary"] ?? "1")
        }
    }

    private func percentage(_ element: XMLElementNode) -> DecimalText? {
        guard let text = element["percentage"] else { return nil }
        guard let value = DecimalText(text) else {
            warn(element, "@percentage \"\(text)\" is not a decimal; ignored")
            return nil
        }
        return value
    }

    /// Shares of one kind that do not add up to 100 are kept as given, with a warning.
    private func checkShares(_ activity: XMLElementNode, _ programme: Programme) {
        let geography = programme.countries.map(\.percentage) + programme.regions.map(\.percentage)
        if geography.count > 1 || geography.first??.hasValue(of: DecimalText("100")!) == false {
            let given = geography.compactMap { $0 }
            if given.count == geography.count, !DecimalText.sumIsHundred(given) {
                warn(activity, "recipient country and region percentages sum to \(Self.sumText(given)), not 100")
            }
        }
        for vocabulary in Set(programme.sectors.map(\.vocabulary)).sorted() {
            let shares = programme.sectors.filter { $0.vocabulary == vocabulary }.map(\.percentage)
            let given = shares.compactMap { $0 }
            if given.count == shares.count, !given.isEmpty, !DecimalText.sumIsHundred(given) {
                warn(activity, "sector percentages of vocabulary \(vocabulary) sum to \(Self.sumText(given)), not 100")
            }
        }
    }

    private static func sumText(_ values: [DecimalText]) -> String {
        guard let (scaled, scale) = DecimalText.sum(values) else { return "more than can be added" }
        var divisor: Int64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let fraction = String(scaled % divisor)
        return scale == 0
            ? String(scaled)
            : "\(scaled / divisor)." + String(repeating: "0", count: scale - fraction.count) + fraction
    }

    private func budget(
        _ element: XMLElementNode,
        defaultCurrency: Currency?
    ) throws(IATIImportError) -> Budget {
        let start = try date(element, child: "period-start")
        let end = try date(element, child: "period-end")
        if end < start { warn(element, "the budget period ends (\(end)) before it starts (\(start))") }
        let value = try money(element, defaultCurrency: defaultCurrency)
        if value.isNegative { warn(element, "a negative budget (\(value)) is kept as reported") }
        return Budget(
            periodStart: start,
            periodEnd: end,
            value: value,
            kind: element["type"].flatMap { Int($0) }.flatMap(Budget.Kind.init(rawValue:)),
            status: element["status"].flatMap { Int($0) }.flatMap(Budget.Status.init(rawValue:))
        )
    }

    private func plannedDisbursement(
        _ element: XMLElementNode,
        defaultCurrency: Currency?
    ) throws(IATIImportError) -> PlannedDisbursement {
        PlannedDisbursement(
            periodStart: try date(element, child: "period-start"),
            periodEnd: element.child("period-end")?["iso-date"].flatMap(CalendarDate.init(iso:)),
            value: try money(element, defaultCurrency: defaultCurrency),
            kind: element["type"].flatMap { Int($0) }.flatMap(Budget.Kind.init(rawValue:))
        )
    }

    private func transaction(
        _ element: XMLElementNode,
        number: Int,
        defaultCurrency: Currency?
    ) throws(IATIImportError) -> Transaction {
        guard let typeElement = element.child("transaction-type") else {
            throw error(element, "transaction-type is missing")
        }
        guard let type = typeElement["code"].flatMap({ Int($0) }).flatMap(TransactionType.init(rawValue:)) else {
            throw error(typeElement, "transaction-type code \"\(typeElement["code"] ?? "")\" is not 1 to 13")
        }
        if type.rawValue > 11, version != "2.03" {
            warn(typeElement, "transaction type \(type.rawValue) is new in IATI 2.03 but the file declares \(version)")
        }
        var transaction = Transaction(
            id: "t\(number)",
            type: type,
            date: try date(element, child: "transaction-date"),
            value: try money(element, defaultCurrency: defaultCurrency),
            ref: element["ref"],
            description: element.child("description").flatMap { Self.pick(narratives($0), language: nil) } ?? "",
            provider: element.child("provider-org").flatMap { organisationName($0) },
            receiver: element.child("receiver-org").flatMap { organisationName($0) }
        )
        transaction.countries = element.children("recipient-country").compactMap(countryShare)
        transaction.regions = element.children("recipient-region").map(regionShare)
        transaction.sectors = element.children("sector").map(sectorShare)
        return transaction
    }

    private func organisationName(_ element: XMLElementNode) -> String? {
        Self.pick(narratives(element), language: nil) ?? element["ref"]
    }

    /// The date in `child`'s @iso-date; a missing or invalid one cannot be read.
    private func date(_ element: XMLElementNode, child name: String) throws(IATIImportError) -> CalendarDate {
        guard let child = element.child(name) else { throw error(element, "\(name) is missing") }
        guard let date = child["iso-date"].flatMap(CalendarDate.init(iso:)) else {
            throw error(child, "@iso-date \"\(child["iso-date"] ?? "")\" is not a date")
        }
        return date
    }

    /// The element's `value`: in its own @currency or the activity's default; more decimals than the currency
    /// has are rounded half to even to its minor unit, with a warning.
    private func money(_ element: XMLElementNode, defaultCurrency: Currency?) throws(IATIImportError) -> Money {
        guard let value = element.child("value") else { throw error(element, "value is missing") }
        let currency: Currency
        if let code = value["currency"] {
            guard let known = Currency(code: code.uppercased()) else {
                throw error(value, "currency \"\(code)\" is not an ISO 4217 currency")
            }
            currency = known
        } else if let defaultCurrency {
            currency = defaultCurrency
        } else {
            throw error(value, "the value has no @currency and the activity no default-currency")
        }
        let text = value.trimmedText
        do {
            return try Money(decimal: text, currency)
        } catch .tooPrecise {
            let rounded = try roundedMoney(text, currency, value)
            warn(value, "\(text) has more decimals than \(currency.code); rounded to \(rounded.decimalString)")
            return rounded
        } catch {
            throw self.error(value, "\"\(text)\" is not an amount of \(currency.code) (\(error))")
        }
    }

    private func roundedMoney(
        _ text: String,
        _ currency: Currency,
        _ element: XMLElementNode
    ) throws(IATIImportError) -> Money {
        guard let exact = DecimalText(text.hasPrefix("-") ? String(text.dropFirst()) : text) else {
            throw error(element, "\"\(text)\" is not an amount")
        }
        var denominator: Int128 = 1
        for _ in 0..<(exact.scale - currency.exponent) { denominator *= 10 }
        var rounded = ExchangeRate.roundHalfEven(Int128(exact.scaled), denominator)
        if text.hasPrefix("-") { rounded = -rounded }
        guard let minorUnits = Int64(exactly: rounded) else { throw error(element, "\"\(text)\" is too large") }
        return Money(minorUnits, currency)
    }

    // MARK: Interpretation

    /// IATI has no programme kind: titles that name UNIDO's programme types say it; otherwise a project.
    static func kind(title: String, hasCountries: Bool) -> ProgrammeKind {
        let lower = title.lowercased()
        if lower.contains("programme for country partnership") || lower.contains("program for country partnership") {
            return .pcp
        }
        if lower.contains("country programm") { return .countryProgramme }
        return .project
    }

    /// SDG goals and targets named by sectors (vocabularies 7 and 8) and tags (vocabularies 2 and 3).
    static func sdgs(sectors: [SectorShare], tags: [Tag]) -> (goals: [Int], targets: [String]) {
        let goalCodes =
            sectors.filter { $0.vocabulary == "7" }.map(\.code) + tags.filter { $0.vocabulary == "2" }.map(\.code)
        let targetCodes =
            sectors.filter { $0.vocabulary == "8" }.map(\.code) + tags.filter { $0.vocabulary == "3" }.map(\.code)
        let goals = Set(goalCodes.compactMap { Int($0) }.filter { (1...17).contains($0) })
        let targets = Set(targetCodes.filter { SDGTarget.isValid($0) })
        return (goals.sorted(), targets.sorted { SDGTarget.order($0, $1) })
    }

    // MARK: Messages

    private func warnForeignAttributes(_ activity: XMLElementNode) {
        let foreign = activity.attributes.keys.filter { name in
            guard let colon = name.firstIndex(of: ":") else { return false }
            let prefix = name[..<colon]
            return prefix != "xml" && prefix != "xmlns"
        }
        if !foreign.isEmpty {
            warn(activity, "attributes in foreign namespaces ignored: \(foreign.sorted().joined(separator: ", "))")
        }
    }

    private func warn(_ element: XMLElementNode, _ message: String) {
        warnings.append(IATIWarning(line: element.line, element: element.name, message: message))
    }

    private func error(_ element: XMLElementNode, _ message: String) -> IATIImportError {
        IATIImportError(file: file, line: element.line, element: element.name, message: message)
    }
}
