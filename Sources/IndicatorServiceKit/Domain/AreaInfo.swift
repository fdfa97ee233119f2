/// An area observations are reported for: one economy or a UN aggregate.
public struct AreaInfo: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case economy
        case aggregate
    }

    /// ISO alpha-3 for economies, three-digit M49 for aggregates.
    public var code: String
    public var kind: Kind
    public var name: String
    public var unSDGName: String
    public var isoAlpha3 = ""
    public var isoAlpha2 = ""
    public var m49: String
    public var region = ""
    public var regionM49 = ""
    public var subRegion = ""
    public var subRegionM49 = ""
    public var intermediateRegion = ""
    public var intermediateRegionM49 = ""
    public var wbRegion = ""
    public var incomeGroup = ""
    public var ldc = false
    public var memberCodes: [String] = []

    public init(code: String, kind: Kind, name: String, unSDGName: String, m49: String) {
        self.code = code
        self.kind = kind
        self.name = name
        self.unSDGName = unSDGName
        self.m49 = m49
    }

    /// Three-digit M49 code, as the aggregates' area codes use it ("1" -> "001").
    public static func paddedM49(_ code: String) -> String {
        String(repeating: "0", count: max(0, 3 - code.count)) + code
    }
}

/// Which areas a listing or query wants.
public struct AreaFilter: Sendable, Hashable {
    public var kind: AreaInfo.Kind?
    public var regionM49: String?
    public var incomeGroup: String?
    public var ldcOnly = false

    public init(kind: AreaInfo.Kind? = nil, regionM49: String? = nil, incomeGroup: String? = nil, ldcOnly: Bool = false)
    {
        self.kind = kind
        self.regionM49 = regionM49
        self.incomeGroup = incomeGroup
        self.ldcOnly = ldcOnly
    }
}
