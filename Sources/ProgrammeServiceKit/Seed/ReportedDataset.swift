public import Foundation

/// Programmes and figures as a report gives them (the shipped `Data/reports/*.json`), read into domain values.
/// Every record cites the report and is marked as reported figures; the file holds no detail the report does
/// not give, and reading it invents none (no dates, partners or amounts beyond the file's).
public struct ReportedDataset: Sendable {
    /// Names the dataset, so it is seeded once: e.g. "unido-2030-agenda-2020".
    public let name: String
    public let citation: String
    /// The programmes, with `id` set to the file's key; the store assigns real ids.
    public let programmes: [Programme]
    /// The figures, with `programmeID` set to a programme's key from the file.
    public let figures: [ReportedFigure]

    /// Reads the dataset, checking every code against ISO 4217 and `countries`.
    public init(json data: Data, countries: CountryDirectory) throws(ReportedDatasetError) {
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw ReportedDatasetError("the dataset is not valid: \(error)")
        }
        let provenance = Provenance(kind: .reportedFigures, citation: file.citation)
        let reporting = ParticipatingOrganisation(
            role: nil,
            name: file.reportingOrganisation.name,
            iatiRef: file.reportingOrganisation.iatiRef
        )
        var programmes: [Programme] = []
        for entry in file.programmes {
            guard countries.entry(alpha3: entry.country) != nil else {
                throw ReportedDatasetError("programme \(entry.key): unknown country \(entry.country)")
            }
            var programme = Programme(
                id: entry.key,
                kind: entry.kind,
                status: entry.status,
                title: entry.title,
                provenance: provenance
            )
            programme.countries = [CountryShare(code: entry.country)]
            programme.reportingOrganisation = reporting
            programme.resourcesMobilised = try (entry.resourcesMobilised ?? []).map {
                (resource) throws(ReportedDatasetError) in
                ResourceMobilisation(
                    origin: resource.origin,
                    amount: try Self.money(resource.amount, resource.currency, record: entry.key),
                    source: resource.source,
                    date: nil
                )
            }
            programmes.append(programme)
        }
        let keys = Set(programmes.map(\.id))
        var figures: [ReportedFigure] = []
        for entry in file.figures {
            let value: ReportedFigure.Value
            switch (entry.count, entry.amount, entry.currency) {
            case (let count?, nil, nil): value = .count(count)
            case (nil, let amount?, let currency?): value = .amount(try Self.money(amount, currency, record: entry.id))
            default: throw ReportedDatasetError("figure \(entry.id): give either a count or an amount and currency")
            }
            if let programme = entry.programme, !keys.contains(programme) {
                throw ReportedDatasetError("figure \(entry.id): no programme \(programme) in the dataset")
            }
            figures.append(
                ReportedFigure(
                    id: entry.id,
                    subject: entry.subject,
                    value: value,
                    qualifier: entry.qualifier,
                    period: entry.period,
                    partner: entry.partner,
                    programmeID: entry.programme,
                    citation: file.citation
                )
            )
        }
        guard Set(figures.map(\.id)).count == figures.count, keys.count == programmes.count else {
            throw ReportedDatasetError("programme keys and figure ids must be unique")
        }
        self.name = file.dataset
        self.citation = file.citation
        self.programmes = programmes
        self.figures = figures
    }

    private static func money(_ amount: String, _ code: String, record: String) throws(ReportedDatasetError) -> Money {
        guard let currency = Currency(code: code) else {
            throw ReportedDatasetError("\(record): \"\(code)\" is not an ISO 4217 currency")
        }
        do {
            return try Money(decimal: amount, currency)
        } catch {
            throw ReportedDatasetError("\(record): \(error)")
        }
    }

    // The file's layout: amounts as decimal text in major units with their currency, as a report prints them.
    private struct File: Decodable {
        struct Organisation: Decodable {
            let name: String
            let iatiRef: String?
            enum CodingKeys: String, CodingKey {
                case name
                case iatiRef = "iati_ref"
            }
        }
        struct Resource: Decodable {
            let origin: ResourceMobilisation.Origin
            let currency: String
            let amount: String
            let source: String
        }
        struct ProgrammeEntry: Decodable {
            let key: String
            let kind: ProgrammeKind
            let status: ProgrammeStatus
            let country: String
            let title: String
            let resourcesMobilised: [Resource]?
            enum CodingKeys: String, CodingKey {
                case key, kind, status, country, title
                case resourcesMobilised = "resources_mobilised"
            }
        }
        struct FigureEntry: Decodable {
            let id: String
            let subject: String
            let count: Int64?
            let currency: String?
            let amount: String?
            let qualifier: ReportedFigure.Qualifier
            let period: String
            let partner: Partner?
            let programme: String?
        }
        let dataset: String
        let citation: String
        let reportingOrganisation: Organisation
        let programmes: [ProgrammeEntry]
        let figures: [FigureEntry]
        enum CodingKeys: String, CodingKey {
            case dataset, citation, programmes, figures
            case reportingOrganisation = "reporting_organisation"
        }
    }
}

/// Why a reported dataset could not be read.
public struct ReportedDatasetError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
