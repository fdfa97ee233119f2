public import ProgrammesAPI
public import RPCErrorDetails
import StandardProtos

/// Reads a programme from a request into the domain model, checking every field and collecting every
/// violation (named as the request spells the field) instead of stopping at the first.
public struct ProgrammeInput: Sendable {
    public let countries: CountryDirectory

    public init(countries: CountryDirectory) {
        self.countries = countries
    }

    /// The most characters a title may have.
    public static let maximumTitleLength = 500

    /// The programme `proto` describes, with `id`; nil when anything is invalid (then `violations` says what,
    /// each field under `prefix`).
    public func programme(
        _ proto: Isid_Programmes_V1_Programme,
        id: String,
        field prefix: String,
        violations: inout FieldViolations
    ) -> Programme? {
        let (programme, problems) = read(proto, id: id)
        violations.add(problems, prefix: prefix)
        return problems.isEmpty ? programme : nil
    }

    /// The programme `proto` describes as far as it can be read, and every violation, with field paths as the
    /// programme message spells them ("title", "funding[0].amount"). An update keeps the violations of the
    /// fields it changes.
    public func read(_ proto: Isid_Programmes_V1_Programme, id: String) -> (Programme, FieldViolations) {
        var problems = FieldViolations()
        let title = proto.title.trimmingSpaces
        if title.isEmpty {
            problems.add("title", "required")
        } else if title.count > Self.maximumTitleLength {
            problems.add("title", "at most \(Self.maximumTitleLength) characters, got \(title.count)")
        }
        let kind = Self.kind(proto.kind)
        if kind == nil { problems.add("kind", "required: PCP, COUNTRY_PROGRAMME, REGIONAL, GLOBAL or PROJECT") }
        let status = proto.status == .unspecified ? .pipeline : Self.status(proto.status)
        if status == nil { problems.add("status", "not a known status") }
        var programme = Programme(
            id: id,
            kind: kind ?? .project,
            status: status ?? .pipeline,
            title: title,
            description: proto.description,
            provenance: Provenance(kind: .entered, citation: proto.provenance?.citation ?? "")
        )
        programme.iatiIdentifier = proto.iatiIdentifier.isEmpty ? nil : proto.iatiIdentifier
        programme.parentID = proto.parentId.isEmpty ? nil : proto.parentId
        programme.countries = proto.countries.enumerated().compactMap { index, country in
            guard let entry = countries.entry(alpha3: country.isoAlpha3) else {
                problems.add(
                    "countries[\(index)].iso_alpha3",
                    "\"\(country.isoAlpha3)\" is not a known ISO 3166-1 alpha-3 code"
                )
                return nil
            }
            return CountryShare(
                code: entry.alpha3,
                percentage: percentage(country.percentage, "countries[\(index)].percentage", &problems)
            )
        }
        programme.dates = dates(proto.dates, &problems)
        if programme.dates.plannedStart == nil && programme.dates.actualStart == nil
            && proto.dates?.plannedStart == nil && proto.dates?.actualStart == nil
        {
            // IATI, which every programme can be exported to, requires at least one activity date.
            problems.add("dates.planned_start", "required (or dates.actual_start)")
        }
        for (index, goal) in proto.sdgGoals.enumerated() where !(1...17).contains(goal) {
            problems.add("sdg_goals[\(index)]", "SDG goals are 1 to 17, got \(goal)")
        }
        programme.sdgGoals = Array(Set(proto.sdgGoals.map(Int.init).filter { (1...17).contains($0) })).sorted()
        for (index, target) in proto.sdgTargets.enumerated() where !SDGTarget.isValid(target) {
            problems.add("sdg_targets[\(index)]", "\"\(target)\" is not an SDG target such as \"9.2\" or \"9.b\"")
        }
        programme.sdgTargets = Array(Set(proto.sdgTargets.filter(SDGTarget.isValid))).sorted(by: SDGTarget.order)
        programme.funding = proto.funding.enumerated().compactMap { index, line in
            funding(line, id: "f\(index + 1)", field: "funding[\(index)]", &problems)
        }
        programme.transactions = proto.transactions.enumerated().compactMap { index, transaction in
            self.transaction(transaction, id: "t\(index + 1)", field: "transactions[\(index)]", &problems)
        }
        programme.budgets = proto.budgets.enumerated().compactMap { index, budget in
            self.budget(budget, field: "budgets[\(index)]", &problems)
        }
        programme.resourcesMobilised = proto.resourcesMobilised.enumerated().compactMap { index, resource in
            self.resource(resource, field: "resources_mobilised[\(index)]", &problems)
        }
        programme.agreements = proto.agreements.enumerated().compactMap { index, agreement in
            self.agreement(agreement, id: "a\(index + 1)", field: "agreements[\(index)]", &problems)
        }
        programme.milestones = proto.milestones.enumerated().compactMap { index, milestone in
            self.milestone(milestone, id: "m\(index + 1)", field: "milestones[\(index)]", &problems)
        }
        let countryCodes = Set(programme.countries.map(\.code))
        programme.targetSeries = proto.targetSeries.enumerated().compactMap { index, target in
            self.targetSeries(target, countries: countryCodes, field: "target_series[\(index)]", &problems)
        }
        programme.participatingOrganisations = proto.participatingOrganisations.map { organisation in
            ParticipatingOrganisation(
                role: OrganisationRole(rawValue: Int(organisation.role.rawValue)),
                name: organisation.name,
                iatiRef: organisation.iatiRef.isEmpty ? nil : organisation.iatiRef,
                iatiType: organisation.iatiType.isEmpty ? nil : organisation.iatiType
            )
        }
        return (programme, problems)
    }

    // MARK: Parts

    func money(
        _ proto: Isid_Programmes_V1_Money?,
        field: String,
        allowNegative: Bool,
        _ problems: inout FieldViolations
    ) -> Money? {
        guard let proto else {
            problems.add(field, "required")
            return nil
        }
        guard let currency = Currency(code: proto.currencyCode) else {
            problems.add("\(field).currency_code", "\"\(proto.currencyCode)\" is not a current ISO 4217 currency code")
            return nil
        }
        if !allowNegative && proto.minorUnits < 0 {
            problems.add("\(field).minor_units", "must not be negative, got \(proto.minorUnits)")
            return nil
        }
        return Money(proto.minorUnits, currency)
    }

    /// A date that is set must be a real day; unset (all zero) is nil.
    func date(_ proto: Google_Type_Date?, field: String, _ problems: inout FieldViolations) -> CalendarDate? {
        guard let proto, proto.year != 0 || proto.month != 0 || proto.day != 0 else { return nil }
        guard let date = CalendarDate(year: Int(proto.year), month: Int(proto.month), day: Int(proto.day)) else {
            problems.add(field, "\(proto.year)-\(proto.month)-\(proto.day) is not a calendar day")
            return nil
        }
        return date
    }

    private func requiredDate(
        _ proto: Google_Type_Date?,
        field: String,
        _ problems: inout FieldViolations
    )
        -> CalendarDate?
    {
        guard let date = date(proto, field: field, &problems) else {
            if proto == nil || (proto?.year == 0 && proto?.month == 0 && proto?.day == 0) {
                problems.add(field, "required")
            }
            return nil
        }
        return date
    }

    private func dates(_ proto: Isid_Programmes_V1_ProgrammeDates?, _ problems: inout FieldViolations) -> ProgrammeDates
    {
        let dates = ProgrammeDates(
            plannedStart: date(proto?.plannedStart, field: "dates.planned_start", &problems),
            actualStart: date(proto?.actualStart, field: "dates.actual_start", &problems),
            plannedEnd: date(proto?.plannedEnd, field: "dates.planned_end", &problems),
            actualEnd: date(proto?.actualEnd, field: "dates.actual_end", &problems)
        )
        if let start = dates.plannedStart, let end = dates.plannedEnd, end < start {
            problems.add("dates.planned_end", "\(end) is before the planned start \(start)")
        }
        if let start = dates.actualStart, let end = dates.actualEnd, end < start {
            problems.add("dates.actual_end", "\(end) is before the actual start \(start)")
        }
        return dates
    }

    private func percentage(_ text: String, _ field: String, _ problems: inout FieldViolations) -> DecimalText? {
        guard !text.isEmpty else { return nil }
        guard let value = DecimalText(text), value.isAtMostHundred else {
            problems.add(field, "\"\(text)\" is not a percentage from 0 to 100")
            return nil
        }
        return value
    }

    func partner(_ proto: Isid_Programmes_V1_Partner?, field: String, _ problems: inout FieldViolations) -> Partner? {
        guard let proto, !proto.name.trimmingSpaces.isEmpty else {
            problems.add("\(field).name", "required")
            return nil
        }
        guard let type = Self.partnerType(proto.type) else {
            problems.add(
                "\(field).type",
                "required: IFI, MULTILATERAL_FUND, GOVERNMENT, PRIVATE_SECTOR, UN_ENTITY, EU, FOUNDATION or OTHER"
            )
            return nil
        }
        return Partner(
            name: proto.name.trimmingSpaces,
            type: type,
            iatiRef: proto.iatiRef.isEmpty ? nil : proto.iatiRef
        )
    }

    func funding(
        _ proto: Isid_Programmes_V1_FundingLine,
        id: String,
        field: String,
        _ problems: inout FieldViolations
    ) -> FundingLine? {
        let partner = partner(proto.partner, field: "\(field).partner", &problems)
        let amount = money(proto.amount, field: "\(field).amount", allowNegative: false, &problems)
        let date = date(proto.date, field: "\(field).date", &problems)
        guard let partner, let amount else { return nil }
        return FundingLine(id: id, partner: partner, amount: amount, date: date, note: proto.note)
    }

    func transaction(
        _ proto: Isid_Programmes_V1_Transaction,
        id: String,
        field: String,
        _ problems: inout FieldViolations
    ) -> Transaction? {
        let type: TransactionType?
        if case .unrecognized = proto.type {
            type = nil
        } else {
            type = TransactionType(rawValue: Int(proto.type.rawValue))
        }
        if type == nil { problems.add("\(field).type", "required: an IATI transaction type, 1 to 13") }
        let date = requiredDate(proto.date, field: "\(field).date", &problems)
        let value = money(
            proto.value,
            field: "\(field).value",
            allowNegative: type?.mayBeCorrectedNegatively ?? true,
            &problems
        )
        guard let type, let date, let value else { return nil }
        return Transaction(
            id: id,
            type: type,
            date: date,
            value: value,
            ref: proto.ref.isEmpty ? nil : proto.ref,
            description: proto.description,
            provider: proto.provider.isEmpty ? nil : proto.provider,
            receiver: proto.receiver.isEmpty ? nil : proto.receiver
        )
    }

    private func budget(_ proto: Isid_Programmes_V1_Budget, field: String, _ problems: inout FieldViolations) -> Budget?
    {
        let start = requiredDate(proto.periodStart, field: "\(field).period_start", &problems)
        let end = requiredDate(proto.periodEnd, field: "\(field).period_end", &problems)
        let value = money(proto.value, field: "\(field).value", allowNegative: false, &problems)
        if let start, let end, end < start {
            problems.add("\(field).period_end", "\(end) is before the period start \(start)")
        }
        guard let start, let end, let value, start <= end else { return nil }
        return Budget(
            periodStart: start,
            periodEnd: end,
            value: value,
            kind: Budget.Kind(rawValue: Int(proto.type.rawValue)),
            status: Budget.Status(rawValue: Int(proto.status.rawValue))
        )
    }

    private func resource(
        _ proto: Isid_Programmes_V1_ResourceMobilisation,
        field: String,
        _ problems: inout FieldViolations
    ) -> ResourceMobilisation? {
        let origin: ResourceMobilisation.Origin?
        switch proto.origin {
        case .public: origin = .public
        case .private: origin = .private
        case .publicAndPrivate: origin = .publicAndPrivate
        default: origin = nil
        }
        if origin == nil { problems.add("\(field).origin", "required: PUBLIC, PRIVATE or PUBLIC_AND_PRIVATE") }
        let amount = money(proto.amount, field: "\(field).amount", allowNegative: false, &problems)
        let date = date(proto.date, field: "\(field).date", &problems)
        guard let origin, let amount else { return nil }
        return ResourceMobilisation(origin: origin, amount: amount, source: proto.source, date: date)
    }

    func agreement(
        _ proto: Isid_Programmes_V1_Agreement,
        id: String,
        field: String,
        _ problems: inout FieldViolations
    ) -> Agreement? {
        let partner = partner(proto.partner, field: "\(field).partner", &problems)
        let kind = Self.agreementKind(proto.kind)
        if kind == nil { problems.add("\(field).kind", "required") }
        let signed = requiredDate(proto.signedOn, field: "\(field).signed_on", &problems)
        guard let partner, let kind, let signed else { return nil }
        return Agreement(id: id, partner: partner, kind: kind, signedOn: signed, title: proto.title)
    }

    private func milestone(
        _ proto: Isid_Programmes_V1_Milestone,
        id: String,
        field: String,
        _ problems: inout FieldViolations
    ) -> Milestone? {
        if proto.title.trimmingSpaces.isEmpty { problems.add("\(field).title", "required") }
        let due = date(proto.due, field: "\(field).due", &problems)
        let achieved = date(proto.achieved, field: "\(field).achieved", &problems)
        guard !proto.title.trimmingSpaces.isEmpty else { return nil }
        return Milestone(id: id, title: proto.title.trimmingSpaces, due: due, achieved: achieved)
    }

    private func targetSeries(
        _ proto: Isid_Programmes_V1_TargetSeries,
        countries: Set<String>,
        field: String,
        _ problems: inout FieldViolations
    ) -> TargetSeries? {
        if proto.seriesCode.isEmpty { problems.add("\(field).series_code", "required") }
        if !countries.contains(proto.areaCode) {
            problems.add("\(field).area_code", "\"\(proto.areaCode)\" is not one of the programme's countries")
        }
        guard !proto.seriesCode.isEmpty, countries.contains(proto.areaCode) else { return nil }
        return TargetSeries(
            seriesCode: proto.seriesCode,
            areaCode: proto.areaCode,
            baselineYear: proto.baselineYear.map(Int.init),
            baselineValue: proto.baselineValue,
            targetYear: proto.targetYear.map(Int.init),
            targetValue: proto.targetValue
        )
    }
}
