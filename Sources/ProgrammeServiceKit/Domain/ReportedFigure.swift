/// A figure as a report states it: a total or a count about the organisation or one programme, with the report
/// it comes from. Kept apart from programmes so that a reported total is never mistaken for, or summed with,
/// the detail the service holds.
public struct ReportedFigure: Hashable, Sendable, Codable {
    public enum Value: Hashable, Sendable {
        case amount(Money)
        case count(Int64)
    }

    /// How the report words the value: "over", "up to", "more than", "about".
    public enum Qualifier: String, Hashable, Sendable, Codable, CaseIterable {
        case exact
        case moreThan
        case upTo
        case about
    }

    /// Stable key, e.g. "portfolio-to-be-implemented".
    public var id: String
    public var subject: String
    public var value: Value
    public var qualifier: Qualifier
    /// When the figure holds, as the report words it ("2019", "as of August 2020").
    public var period: String
    public var partner: Partner?
    public var programmeID: String?
    public var citation: String

    public init(
        id: String,
        subject: String,
        value: Value,
        qualifier: Qualifier,
        period: String,
        partner: Partner? = nil,
        programmeID: String? = nil,
        citation: String
    ) {
        self.id = id
        self.subject = subject
        self.value = value
        self.qualifier = qualifier
        self.period = period
        self.partner = partner
        self.programmeID = programmeID
        self.citation = citation
    }
}

extension ReportedFigure.Value: Codable {
    private enum CodingKeys: String, CodingKey { case amount, count }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let amount = try container.decodeIfPresent(Money.self, forKey: .amount) {
            self = .amount(amount)
        } else {
            self = .count(try container.decode(Int64.self, forKey: .count))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .amount(let money): try container.encode(money, forKey: .amount)
        case .count(let count): try container.encode(count, forKey: .count)
        }
    }
}
