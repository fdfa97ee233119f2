public import ProgrammesAPI
import ProtobufRuntime
import StandardProtos

/// Writes domain programmes into the API's messages, filling in what the server knows and the client may not
/// have sent: every code of each country, each amount's currency exponent.
public struct ProgrammeOutput: Sendable {
    public let countries: CountryDirectory

    public init(countries: CountryDirectory) {
        self.countries = countries
    }

    public func proto(_ programme: Programme) -> Isid_Programmes_V1_Programme {
        .with { out in
            out.id = programme.id
            out.iatiIdentifier = programme.iatiIdentifier ?? ""
            out.kind = programme.kind.proto
            out.status = programme.status.proto
            out.title = programme.title
            out.description = programme.description
            out.titleNarratives = programme.titleNarratives.map(narrative)
            out.descriptions = programme.descriptions.map { description in
                .with {
                    $0.type = Int32(description.type)
                    $0.narratives = description.narratives.map(narrative)
                }
            }
            out.defaultLanguage = programme.defaultLanguage ?? ""
            out.defaultCurrency = programme.defaultCurrency?.code ?? ""
            out.parentId = programme.parentID ?? ""
            out.parentIatiIdentifier = programme.parentIATIIdentifier ?? ""
            out.countries = programme.countries.map(country)
            out.regions = programme.regions.map { region in
                .with {
                    $0.code = region.code
                    $0.vocabulary = region.vocabulary
                    $0.percentage = region.percentage?.text ?? ""
                }
            }
            out.sectors = programme.sectors.map(sector)
            out.tags = programme.tags.map { tag in
                .with {
                    $0.code = tag.code
                    $0.vocabulary = tag.vocabulary
                }
            }
            out.dates = .with {
                if let date = programme.dates.plannedStart { $0.plannedStart = self.date(date) }
                if let date = programme.dates.actualStart { $0.actualStart = self.date(date) }
                if let date = programme.dates.plannedEnd { $0.plannedEnd = self.date(date) }
                if let date = programme.dates.actualEnd { $0.actualEnd = self.date(date) }
            }
            out.sdgGoals = programme.sdgGoals.map(Int32.init)
            out.sdgTargets = programme.sdgTargets
            out.funding = programme.funding.map { line in
                .with {
                    $0.id = line.id
                    $0.partner = partner(line.partner)
                    $0.amount = money(line.amount)
                    if let date = line.date { $0.date = self.date(date) }
                    $0.note = line.note
                }
            }
            out.transactions = programme.transactions.map(transaction)
            out.budgets = programme.budgets.map { budget in
                .with {
                    $0.periodStart = date(budget.periodStart)
                    $0.periodEnd = date(budget.periodEnd)
                    $0.value = money(budget.value)
                    $0.type =
                        budget.kind.map { Isid_Programmes_V1_BudgetType(rawValue: Int32($0.rawValue)) } ?? .unspecified
                    $0.status =
                        budget.status.map { Isid_Programmes_V1_BudgetStatus(rawValue: Int32($0.rawValue)) }
                        ?? .unspecified
                }
            }
            out.plannedDisbursements = programme.plannedDisbursements.map { disbursement in
                .with {
                    $0.periodStart = date(disbursement.periodStart)
                    if let end = disbursement.periodEnd { $0.periodEnd = date(end) }
                    $0.value = money(disbursement.value)
                    $0.type = Int32(disbursement.kind?.rawValue ?? 0)
                }
            }
            out.resourcesMobilised = programme.resourcesMobilised.map { resource in
                .with {
                    switch resource.origin {
                    case .public: $0.origin = .public
                    case .private: $0.origin = .private
                    case .publicAndPrivate: $0.origin = .publicAndPrivate
                    }
                    $0.amount = money(resource.amount)
                    $0.source = resource.source
                    if let date = resource.date { $0.date = self.date(date) }
                }
            }
            out.agreements = programme.agreements.map { agreement in
                .with {
                    $0.id = agreement.id
                    $0.partner = partner(agreement.partner)
                    $0.kind = agreement.kind.proto
                    $0.signedOn = date(agreement.signedOn)
                    $0.title = agreement.title
                }
            }
            out.milestones = programme.milestones.map { milestone in
                .with {
                    $0.id = milestone.id
                    $0.title = milestone.title
                    if let due = milestone.due { $0.due = date(due) }
                    if let achieved = milestone.achieved { $0.achieved = date(achieved) }
                }
            }
            out.targetSeries = programme.targetSeries.map { target in
                .with {
                    $0.seriesCode = target.seriesCode
                    $0.areaCode = target.areaCode
                    $0.baselineYear = target.baselineYear.map(Int32.init)
                    $0.baselineValue = target.baselineValue
                    $0.targetYear = target.targetYear.map(Int32.init)
                    $0.targetValue = target.targetValue
                }
            }
            out.participatingOrganisations = programme.participatingOrganisations.map(organisation)
            if let reporter = programme.reportingOrganisation { out.reportingOrganisation = organisation(reporter) }
            out.provenance = .with {
                switch programme.provenance.kind {
                case .entered: $0.kind = .entered
                case .iati: $0.kind = .iati
                case .reportedFigures: $0.kind = .reportedFigures
                }
                $0.citation = programme.provenance.citation
            }
        }
    }

    func money(_ money: Money) -> Isid_Programmes_V1_Money {
        .with {
            $0.currencyCode = money.currency.code
            $0.minorUnits = money.minorUnits
            $0.exponent = Int32(money.currency.exponent)
        }
    }

    func date(_ date: CalendarDate) -> Google_Type_Date {
        .with {
            $0.year = Int32(date.year)
            $0.month = Int32(date.month)
            $0.day = Int32(date.day)
        }
    }

    private func country(_ share: CountryShare) -> Isid_Programmes_V1_Country {
        let entry = countries.entry(alpha3: share.code)
        return .with {
            $0.isoAlpha3 = share.code
            $0.isoAlpha2 = entry?.alpha2 ?? ""
            $0.m49 = entry?.m49 ?? ""
            $0.name = entry?.name ?? ""
            $0.percentage = share.percentage?.text ?? ""
        }
    }

    private func sector(_ share: SectorShare) -> Isid_Programmes_V1_Sector {
        .with {
            $0.code = share.code
            $0.vocabulary = share.vocabulary
            $0.percentage = share.percentage?.text ?? ""
        }
    }

    private func narrative(_ narrative: Narrative) -> Isid_Programmes_V1_Narrative {
        .with {
            $0.language = narrative.language ?? ""
            $0.text = narrative.text
        }
    }

    func partner(_ partner: Partner) -> Isid_Programmes_V1_Partner {
        .with {
            $0.name = partner.name
            $0.type = partner.type.proto
            $0.iatiRef = partner.iatiRef ?? ""
        }
    }

    private func organisation(_ organisation: ParticipatingOrganisation) -> Isid_Programmes_V1_ParticipatingOrganisation
    {
        .with {
            $0.role =
                organisation.role.map { Isid_Programmes_V1_OrganisationRole(rawValue: Int32($0.rawValue)) }
                ?? .unspecified
            $0.name = organisation.name
            $0.iatiRef = organisation.iatiRef ?? ""
            $0.iatiType = organisation.iatiType ?? ""
        }
    }

    private func transaction(_ transaction: Transaction) -> Isid_Programmes_V1_Transaction {
        .with {
            $0.id = transaction.id
            $0.type = Isid_Programmes_V1_TransactionType(rawValue: Int32(transaction.type.rawValue))
            $0.date = date(transaction.date)
            $0.value = money(transaction.value)
            $0.ref = transaction.ref ?? ""
            $0.description = transaction.description
            $0.provider = transaction.provider ?? ""
            $0.receiver = transaction.receiver ?? ""
            $0.recipientCountries = transaction.countries.map(country)
            $0.recipientRegions = transaction.regions.map { region in
                .with {
                    $0.code = region.code
                    $0.vocabulary = region.vocabulary
                }
            }
            $0.sectors = transaction.sectors.map(sector)
        }
    }
}
