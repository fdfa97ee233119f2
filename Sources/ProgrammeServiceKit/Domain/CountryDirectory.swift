/// The countries ProgrammeService knows, with the codes each system uses: ISO 3166-1 alpha-3 (IndicatorService's
/// area codes), alpha-2 (IATI's) and UN M49.
public struct CountryDirectory: Sendable {
    public struct Entry: Hashable, Sendable {
        public let alpha3: String
        public let alpha2: String
        public let m49: String
        public let name: String

        public init(alpha3: String, alpha2: String, m49: String, name: String) {
            self.alpha3 = alpha3
            self.alpha2 = alpha2
            self.m49 = m49
            self.name = name
        }
    }

    private let byAlpha3: [String: Entry]
    private let byAlpha2: [String: Entry]

    public init(_ entries: [Entry]) {
        byAlpha3 = Dictionary(entries.map { ($0.alpha3, $0) }, uniquingKeysWith: { first, _ in first })
        byAlpha2 = Dictionary(entries.map { ($0.alpha2, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func entry(alpha3 code: String) -> Entry? { byAlpha3[code] }

    /// IATI codes are upper case by rule; some publishers write lower case, which reads the same.
    public func entry(alpha2 code: String) -> Entry? { byAlpha2[code.uppercased()] }

    public var count: Int { byAlpha3.count }
}
