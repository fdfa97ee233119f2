/// The observations of an extract, handed to the store a batch at a time inside its import transaction, so
/// that an import holds one batch in memory however large the files are.
public struct ObservationBatches: Sendable {
    private let open: @Sendable () throws -> any ObservationBatchReader

    public init(open: @escaping @Sendable () throws -> any ObservationBatchReader) {
        self.open = open
    }

    /// Rows already in memory, in batches of `batchSize`.
    public static func rows(_ rows: [ObservationRecord], batchSize: Int = 5_000) -> ObservationBatches {
        ObservationBatches { InMemoryObservationReader(rows, batchSize: batchSize) }
    }

    /// A reader from the first batch.
    public func makeReader() throws -> any ObservationBatchReader { try open() }
}

/// Reads an extract's observations batch by batch; a malformed row throws, naming where it is.
public protocol ObservationBatchReader: AnyObject {
    /// The next batch; nil after the last.
    func next() throws -> [ObservationRecord]?
    /// Whether a row with `key` has been read: once `next()` returned nil, whether the extract holds it.
    func hasRead(_ key: ObservationKey) -> Bool
}

final class InMemoryObservationReader: ObservationBatchReader {
    private let rows: [ObservationRecord]
    private let batchSize: Int
    private var start = 0
    private var read: Set<ObservationKey> = []

    init(_ rows: [ObservationRecord], batchSize: Int) {
        self.rows = rows
        self.batchSize = max(1, batchSize)
    }

    func next() throws -> [ObservationRecord]? {
        guard start < rows.count else { return nil }
        let batch = Array(rows[start..<min(start + batchSize, rows.count)])
        start += batch.count
        for row in batch { read.insert(row.key) }
        return batch
    }

    func hasRead(_ key: ObservationKey) -> Bool { read.contains(key) }
}
