/// Who a partner is, for the portfolio's totals.
public enum PartnerType: String, Hashable, Sendable, Codable, CaseIterable {
    case ifi
    case multilateralFund
    case government
    case privateSector
    case unEntity
    case eu
    case foundation
    case other
}

public struct Partner: Hashable, Sendable, Codable {
    public var name: String
    public var type: PartnerType
    /// IATI organisation identifier, when known.
    public var iatiRef: String?

    public init(name: String, type: PartnerType, iatiRef: String? = nil) {
        self.name = name
        self.type = type
        self.iatiRef = iatiRef
    }
}

/// Money a partner provides or has pledged.
public struct FundingLine: Hashable, Sendable, Codable {
    public var id: String
    public var partner: Partner
    public var amount: Money
    public var date: CalendarDate?
    public var note: String

    public init(id: String, partner: Partner, amount: Money, date: CalendarDate?, note: String = "") {
        self.id = id
        self.partner = partner
        self.amount = amount
        self.date = date
        self.note = note
    }
}

/// IATI 2.03 transaction types, codes 1 to 13.
public enum TransactionType: Int, Hashable, Sendable, Codable, CaseIterable {
    case incomingFunds = 1
    case outgoingCommitment
    case disbursement
    case expenditure
    case interestPayment
    case loanRepayment
    case reimbursement
    case purchaseOfEquity
    case saleOfEquity
    case creditGuarantee
    case incomingCommitment
    case outgoingPledge
    case incomingPledge

    /// Money that has left the programme: what the portfolio counts as spent.
    public var isSpending: Bool { self == .disbursement || self == .expenditure }

    /// Flows may be reported negative to correct an earlier one; commitments, pledges, equity and guarantees,
    /// which state an obligation, may not.
    public var mayBeCorrectedNegatively: Bool {
        switch self {
        case .incomingFunds, .disbursement, .expenditure, .interestPayment, .loanRepayment, .reimbursement: true
        case .outgoingCommitment, .purchaseOfEquity, .saleOfEquity, .creditGuarantee, .incomingCommitment,
            .outgoingPledge, .incomingPledge:
            false
        }
    }
}

public struct Transaction: Hashable, Sendable, Codable {
    public var id: String
    public var type: TransactionType
    public var date: CalendarDate
    public var value: Money
    /// The publisher's own reference (IATI `transaction/@ref`).
    public var ref: String?
    public var description: String
    public var provider: String?
    public var receiver: String?
    public var countries: [CountryShare] = []
    public var regions: [RegionShare] = []
    public var sectors: [SectorShare] = []

    public init(
        id: String,
        type: TransactionType,
        date: CalendarDate,
        value: Money,
        ref: String? = nil,
        description: String = "",
        provider: String? = nil,
        receiver: String? = nil
    ) {
        self.id = id
        self.type = type
        self.date = date
        self.value = value
        self.ref = ref
        self.description = description
        self.provider = provider
        self.receiver = receiver
    }
}

/// Money planned for one period (IATI budget).
public struct Budget: Hashable, Sendable, Codable {
    public enum Kind: Int, Hashable, Sendable, Codable {
        case original = 1
        case revised = 2
    }

    public enum Status: Int, Hashable, Sendable, Codable {
        case indicative = 1
        case committed = 2
    }

    public var periodStart: CalendarDate
    public var periodEnd: CalendarDate
    public var value: Money
    /// Nil when the publisher did not say (IATI reads that as original).
    public var kind: Kind?
    /// Nil when the publisher did not say (IATI reads that as indicative).
    public var status: Status?

    public init(periodStart: CalendarDate, periodEnd: CalendarDate, value: Money, kind: Kind?, status: Status?) {
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.value = value
        self.kind = kind
        self.status = status
    }
}

/// Money planned to be disbursed in one period (IATI planned-disbursement).
public struct PlannedDisbursement: Hashable, Sendable, Codable {
    public var periodStart: CalendarDate
    public var periodEnd: CalendarDate?
    public var value: Money
    public var kind: Budget.Kind?

    public init(periodStart: CalendarDate, periodEnd: CalendarDate?, value: Money, kind: Budget.Kind?) {
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.value = value
        self.kind = kind
    }
}

/// Resources a programme leveraged beyond its budget.
public struct ResourceMobilisation: Hashable, Sendable, Codable {
    public enum Origin: String, Hashable, Sendable, Codable {
        case `public`
        case `private`
        /// One total of both, as a report gives it when it does not split the two.
        case publicAndPrivate
    }

    public var origin: Origin
    public var amount: Money
    public var source: String
    public var date: CalendarDate?

    public init(origin: Origin, amount: Money, source: String, date: CalendarDate?) {
        self.origin = origin
        self.amount = amount
        self.source = source
        self.date = date
    }
}

public struct Agreement: Hashable, Sendable, Codable {
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case funding
        case programmeDocument
        case memorandum
        case cooperation
        case other
    }

    public var id: String
    public var partner: Partner
    public var kind: Kind
    public var signedOn: CalendarDate
    public var title: String

    public init(id: String, partner: Partner, kind: Kind, signedOn: CalendarDate, title: String) {
        self.id = id
        self.partner = partner
        self.kind = kind
        self.signedOn = signedOn
        self.title = title
    }
}

public struct Milestone: Hashable, Sendable, Codable {
    public var id: String
    public var title: String
    public var due: CalendarDate?
    public var achieved: CalendarDate?

    public init(id: String, title: String, due: CalendarDate?, achieved: CalendarDate?) {
        self.id = id
        self.title = title
        self.due = due
        self.achieved = achieved
    }
}

/// An SDG 9 series a programme aims to move in one of its countries (IndicatorService's codes).
public struct TargetSeries: Hashable, Sendable, Codable {
    public var seriesCode: String
    public var areaCode: String
    public var baselineYear: Int?
    public var baselineValue: Double?
    public var targetYear: Int?
    public var targetValue: Double?

    public init(
        seriesCode: String,
        areaCode: String,
        baselineYear: Int? = nil,
        baselineValue: Double? = nil,
        targetYear: Int? = nil,
        targetValue: Double? = nil
    ) {
        self.seriesCode = seriesCode
        self.areaCode = areaCode
        self.baselineYear = baselineYear
        self.baselineValue = baselineValue
        self.targetYear = targetYear
        self.targetValue = targetValue
    }
}

/// IATI organisation roles.
public enum OrganisationRole: Int, Hashable, Sendable, Codable, CaseIterable {
    case funding = 1
    case accountable
    case extending
    case implementing
}

public struct ParticipatingOrganisation: Hashable, Sendable, Codable {
    public var role: OrganisationRole?
    public var name: String
    public var iatiRef: String?
    /// IATI OrganisationType code, e.g. "40".
    public var iatiType: String?

    public init(role: OrganisationRole?, name: String, iatiRef: String? = nil, iatiType: String? = nil) {
        self.role = role
        self.name = name
        self.iatiRef = iatiRef
        self.iatiType = iatiType
    }
}
