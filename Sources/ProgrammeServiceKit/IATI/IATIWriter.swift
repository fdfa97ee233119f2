/// Writes programmes as an IATI 2.03 activity document that validates against the official schema, in the
/// schema's element order. What it writes is what ``IATIReader`` keeps, so reading the output back gives the
/// same programmes.
public struct IATIWriter: Sendable {
    /// Turns the programmes' ISO alpha-3 country codes into IATI's alpha-2.
    public let countries: CountryDirectory
    /// Who reports programmes that have no reporting organisation of their own (entered through the API).
    public let defaultReporter: ParticipatingOrganisation

    public init(
        countries: CountryDirectory,
        defaultReporter: ParticipatingOrganisation = ParticipatingOrganisation(
            role: nil,
            name: "United Nations Industrial Development Organization",
            iatiRef: "XM-DAC-41123",
            iatiType: "40"
        )
    ) {
        self.countries = countries
        self.defaultReporter = defaultReporter
    }

    /// The document. `iatiIdentifier(ofProgramme:)` gives the IATI identifier of a parent held here.
    public func document(
        _ programmes: [Programme],
        generated: String,
        iatiIdentifier: (String) -> String? = { _ in nil }
    ) -> String {
        var xml = XMLText()
        xml.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        xml.open("iati-activities", ["version": "2.03", "generated-datetime": generated])
        for programme in programmes { activity(programme, into: &xml, iatiIdentifier: iatiIdentifier) }
        xml.close("iati-activities")
        return xml.text
    }

    /// The identifier a programme is published under: its own, else the reporter's prefix and its id.
    public func identifier(of programme: Programme) -> String {
        programme.iatiIdentifier ?? "\(reporter(of: programme).iatiRef ?? "XM-DAC-41123")-\(programme.id)"
    }

    private func reporter(of programme: Programme) -> ParticipatingOrganisation {
        guard let own = programme.reportingOrganisation, own.iatiRef != nil, own.iatiType != nil else {
            return defaultReporter
        }
        return own
    }

    private func activity(_ programme: Programme, into xml: inout XMLText, iatiIdentifier: (String) -> String?) {
        var attributes: [String: String] = [:]
        if let language = programme.defaultLanguage { attributes["xml:lang"] = language }
        if let currency = programme.defaultCurrency { attributes["default-currency"] = currency.code }
        xml.open("iati-activity", attributes)
        xml.element("iati-identifier", text: identifier(of: programme))
        let reporter = reporter(of: programme)
        xml.open("reporting-org", ["ref": reporter.iatiRef ?? "", "type": reporter.iatiType ?? "40"])
        narratives([Narrative(language: nil, text: reporter.name)], into: &xml)
        xml.close("reporting-org")
        xml.open("title")
        narratives(
            programme.titleNarratives.isEmpty
                ? [Narrative(language: nil, text: programme.title)] : programme.titleNarratives,
            into: &xml
        )
        xml.close("title")
        // IATI requires a description: a programme entered without one is described by its title.
        let descriptions =
            programme.descriptions.isEmpty
            ? [
                DescriptionText(
                    type: 1,
                    narratives: [
                        Narrative(
                            language: nil,
                            text: programme.description.isEmpty ? programme.title : programme.description
                        )
                    ]
                )
            ]
            : programme.descriptions
        for description in descriptions {
            xml.open("description", ["type": String(description.type)])
            narratives(description.narratives, into: &xml)
            xml.close("description")
        }
        let organisations =
            programme.participatingOrganisations.isEmpty
            ? [ParticipatingOrganisation(role: .implementing, name: reporter.name, iatiRef: reporter.iatiRef)]
            : programme.participatingOrganisations
        for organisation in organisations {
            var attributes = ["role": String((organisation.role ?? .implementing).rawValue)]
            if let ref = organisation.iatiRef { attributes["ref"] = ref }
            if let type = organisation.iatiType { attributes["type"] = type }
            xml.open("participating-org", attributes)
            if !organisation.name.isEmpty {
                narratives([Narrative(language: nil, text: organisation.name)], into: &xml)
            }
            xml.close("participating-org")
        }
        xml.empty("activity-status", ["code": String(programme.status.iatiCode)])
        for (type, date) in [
            ("1", programme.dates.plannedStart), ("2", programme.dates.actualStart), ("3", programme.dates.plannedEnd),
            ("4", programme.dates.actualEnd),
        ] {
            if let date { xml.empty("activity-date", ["type": type, "iso-date": date.description]) }
        }
        for country in programme.countries {
            xml.empty("recipient-country", share(["code": alpha2(country.code)], country.percentage))
        }
        for region in programme.regions {
            xml.empty(
                "recipient-region",
                share(["code": region.code, "vocabulary": region.vocabulary], region.percentage)
            )
        }
        for sector in programme.sectors {
            xml.empty("sector", share(["code": sector.code, "vocabulary": sector.vocabulary], sector.percentage))
        }
        for tag in programme.tags { xml.empty("tag", ["code": tag.code, "vocabulary": tag.vocabulary]) }
        for budget in programme.budgets {
            var attributes: [String: String] = [:]
            if let kind = budget.kind { attributes["type"] = String(kind.rawValue) }
            if let status = budget.status { attributes["status"] = String(status.rawValue) }
            xml.open("budget", attributes)
            xml.empty("period-start", ["iso-date": budget.periodStart.description])
            xml.empty("period-end", ["iso-date": budget.periodEnd.description])
            value(budget.value, date: budget.periodStart, into: &xml)
            xml.close("budget")
        }
        for disbursement in programme.plannedDisbursements {
            xml.open("planned-disbursement", disbursement.kind.map { ["type": String($0.rawValue)] } ?? [:])
            xml.empty("period-start", ["iso-date": disbursement.periodStart.description])
            if let end = disbursement.periodEnd { xml.empty("period-end", ["iso-date": end.description]) }
            value(disbursement.value, date: disbursement.periodStart, into: &xml)
            xml.close("planned-disbursement")
        }
        for transaction in programme.transactions { self.transaction(transaction, into: &xml) }
        if let parent = programme.parentID.flatMap(iatiIdentifier) ?? programme.parentIATIIdentifier {
            xml.empty("related-activity", ["ref": parent, "type": "1"])
        }
        xml.close("iati-activity")
    }

    private func transaction(_ transaction: Transaction, into xml: inout XMLText) {
        xml.open("transaction", transaction.ref.map { ["ref": $0] } ?? [:])
        xml.empty("transaction-type", ["code": String(transaction.type.rawValue)])
        xml.empty("transaction-date", ["iso-date": transaction.date.description])
        value(transaction.value, date: transaction.date, into: &xml)
        if !transaction.description.isEmpty {
            xml.open("description")
            narratives([Narrative(language: nil, text: transaction.description)], into: &xml)
            xml.close("description")
        }
        for (name, organisation) in [("provider-org", transaction.provider), ("receiver-org", transaction.receiver)] {
            guard let organisation else { continue }
            xml.open(name)
            narratives([Narrative(language: nil, text: organisation)], into: &xml)
            xml.close(name)
        }
        for sector in transaction.sectors {
            xml.empty("sector", ["code": sector.code, "vocabulary": sector.vocabulary])
        }
        // The schema allows at most one country and one region per transaction.
        if let country = transaction.countries.first {
            xml.empty("recipient-country", ["code": alpha2(country.code)])
        }
        if let region = transaction.regions.first {
            xml.empty("recipient-region", ["code": region.code, "vocabulary": region.vocabulary])
        }
        xml.close("transaction")
    }

    private func value(_ money: Money, date: CalendarDate, into xml: inout XMLText) {
        xml.element(
            "value",
            ["currency": money.currency.code, "value-date": date.description],
            text: money.decimalString
        )
    }

    private func narratives(_ narratives: [Narrative], into xml: inout XMLText) {
        for narrative in narratives {
            xml.element("narrative", narrative.language.map { ["xml:lang": $0] } ?? [:], text: narrative.text)
        }
    }

    private func share(_ attributes: [String: String], _ percentage: DecimalText?) -> [String: String] {
        var attributes = attributes
        if let percentage { attributes["percentage"] = percentage.text }
        return attributes
    }

    /// IATI names countries by ISO alpha-2; a code the directory does not know is written as it is held.
    private func alpha2(_ alpha3: String) -> String { countries.entry(alpha3: alpha3)?.alpha2 ?? alpha3 }
}

/// Indented XML text with escaping; attributes are written in name order so output is deterministic.
struct XMLText {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ content: String) {
        text += String(repeating: " ", count: depth) + content + "\n"
    }

    mutating func open(_ name: String, _ attributes: [String: String] = [:]) {
        line("<\(name)\(Self.attributes(attributes))>")
        depth += 1
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }

    mutating func empty(_ name: String, _ attributes: [String: String] = [:]) {
        line("<\(name)\(Self.attributes(attributes))/>")
    }

    mutating func element(_ name: String, _ attributes: [String: String] = [:], text content: String) {
        line("<\(name)\(Self.attributes(attributes))>\(Self.escape(content))</\(name)>")
    }

    static func attributes(_ attributes: [String: String]) -> String {
        attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\"\(escape($0.value, quotes: true))\"" }.joined()
    }

    static func escape(_ text: String, quotes: Bool = false) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
