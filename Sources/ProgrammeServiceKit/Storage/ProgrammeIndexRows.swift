/// What list filters select on, derived from a programme and rewritten with each write of it: the rows of
/// `programme_countries`, `programme_partners` and `programme_sdgs`, the same in either database.
struct ProgrammeIndexRows: Equatable {
    /// ISO 3166-1 alpha-3 codes.
    var countries: [String]
    /// A partner's lower-cased name and its PartnerType ("" for a participating organisation).
    var partners: [(nameKey: String, type: String)]
    /// Goals ("9") and targets ("9.2"); a target also lists its goal.
    var sdgs: [String]

    /// The tables the rows go to, for deleting a programme's old rows.
    static let tables = ["programme_countries", "programme_partners", "programme_sdgs"]

    init(_ programme: Programme) {
        countries = Set(programme.countries.map(\.code)).sorted()
        var partners: Set<[String]> = []
        for line in programme.funding { partners.insert([line.partner.name.lowercased(), line.partner.type.rawValue]) }
        for agreement in programme.agreements {
            partners.insert([agreement.partner.name.lowercased(), agreement.partner.type.rawValue])
        }
        for organisation in programme.participatingOrganisations where !organisation.name.isEmpty {
            partners.insert([organisation.name.lowercased(), ""])
        }
        self.partners = partners.sorted { $0.lexicographicallyPrecedes($1) }.map { ($0[0], $0[1]) }
        var sdgs = Set(programme.sdgGoals.map(String.init))
        for target in programme.sdgTargets {
            sdgs.insert(target)
            if let goal = target.split(separator: ".").first { sdgs.insert(String(goal)) }
        }
        self.sdgs = sdgs.sorted()
    }

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.countries == rhs.countries && lhs.sdgs == rhs.sdgs
            && lhs.partners.map { [$0.nameKey, $0.type] } == rhs.partners.map { [$0.nameKey, $0.type] }
    }
}
