/// Which way a series should move for its SDG target.
public enum BetterDirection: String, Sendable, Hashable {
    case higher
    case lower
}

/// One UN SDG Global Database series, with its target and coverage.
public struct SeriesInfo: Sendable, Hashable {
    public var code: String
    public var sdgIndicator: String
    public var description: String
    public var unit: String
    public var unitDescription: String
    public var better: BetterDirection?
    public var directionNote: String
    public var custodian: String
    public var observationCount = 0
    public var firstYear = 0
    public var lastYear = 0

    public init(
        code: String,
        sdgIndicator: String,
        description: String,
        unit: String,
        unitDescription: String,
        better: BetterDirection?,
        directionNote: String,
        custodian: String
    ) {
        self.code = code
        self.sdgIndicator = sdgIndicator
        self.description = description
        self.unit = unit
        self.unitDescription = unitDescription
        self.better = better
        self.directionNote = directionNote
        self.custodian = custodian
    }

    /// "9.2.1" -> "9.2".
    public var sdgTarget: String {
        let parts = sdgIndicator.split(separator: ".")
        return parts.count >= 2 ? "\(parts[0]).\(parts[1])" : sdgIndicator
    }

    public var targetText: String { SDGTargets.text[sdgTarget] ?? "" }
}

/// The UN texts of the SDG 9 targets our series measure (verbatim, UN SDG target list).
public enum SDGTargets {
    public static let text: [String: String] = [
        "9.2": "Promote inclusive and sustainable industrialization and, by 2030, significantly raise industry's "
            + "share of employment and gross domestic product, in line with national circumstances, and double its "
            + "share in least developed countries.",
        "9.3": "Increase the access of small-scale industrial and other enterprises, in particular in developing "
            + "countries, to financial services, including affordable credit, and their integration into value "
            + "chains and markets.",
        "9.4": "By 2030, upgrade infrastructure and retrofit industries to make them sustainable, with increased "
            + "resource-use efficiency and greater adoption of clean and environmentally sound technologies and "
            + "industrial processes, with all countries taking action in accordance with their respective "
            + "capabilities.",
        "9.b": "Support domestic technology development, research and innovation in developing countries, "
            + "including by ensuring a conducive policy environment for, inter alia, industrial diversification "
            + "and value addition to commodities.",
    ]
}
