import Foundation
import IsidStorage
import IsidSync

/// Programmes decoded from their stored documents, by id and revision. A programme at one revision never
/// changes (a write gives it a new revision), and ids are unique in every database, so each document is
/// decoded once however often it is read: JSON decoding had been two thirds of a list's CPU. Bounded: when
/// full, the cache starts over.
final class DecodedProgrammes: Sendable {
    static let shared = DecodedProgrammes(capacity: 20_000)

    private let capacity: Int
    private let programmes = Lock<[String: (revision: Int64, programme: Programme)]>([:])

    init(capacity: Int) { self.capacity = capacity }

    /// The programme stored as `document` under `id` at `revision`.
    func programme(id: String, revision: Int64, document: @autoclosure () -> Data) throws -> Programme {
        if let known = programmes.withLock({ $0[id] }), known.revision == revision { return known.programme }
        let programme = try StoredDocuments.decode(Programme.self, document())
        programmes.withLock { programmes in
            if programmes.count >= capacity { programmes.removeAll(keepingCapacity: true) }
            programmes[id] = (revision, programme)
        }
        return programme
    }
}
