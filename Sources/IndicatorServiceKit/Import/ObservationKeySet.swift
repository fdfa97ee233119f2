/// Which (series, area, year) keys an import has read: a bit per key of the catalogue it imports, so that
/// millions of rows cost a few MiB, not a set of strings. Keys outside the catalogue or the usual years (rare)
/// fall back to a plain set.
struct ObservationKeySet {
    private let seriesIndex: [String: Int]
    private let areaIndex: [String: Int]
    private let years: ClosedRange<Int>
    private var bits: [UInt64]
    private var others: Set<ObservationKey> = []

    init(seriesCodes: [String], areaCodes: [String], years: ClosedRange<Int>) {
        seriesIndex = Dictionary(seriesCodes.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        areaIndex = Dictionary(areaCodes.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        self.years = years
        bits = Array(repeating: 0, count: (seriesIndex.count * areaIndex.count * years.count + 63) / 64)
    }

    private func position(of key: ObservationKey) -> Int? {
        guard let series = seriesIndex[key.seriesCode], let area = areaIndex[key.areaCode], years.contains(key.year)
        else { return nil }
        return (series * areaIndex.count + area) * years.count + (key.year - years.lowerBound)
    }

    /// Adds `key`; false when it was there already.
    mutating func insert(_ key: ObservationKey) -> Bool {
        guard let position = position(of: key) else { return others.insert(key).inserted }
        let mask: UInt64 = 1 << UInt64(position % 64)
        defer { bits[position / 64] |= mask }
        return bits[position / 64] & mask == 0
    }

    func contains(_ key: ObservationKey) -> Bool {
        guard let position = position(of: key) else { return others.contains(key) }
        return bits[position / 64] & (1 << UInt64(position % 64)) != 0
    }
}
