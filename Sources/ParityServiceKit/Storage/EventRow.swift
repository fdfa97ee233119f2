import Foundation
import IsidStorage

/// The `events` columns of a stored event, the same on every store: what lists and reports filter on, and the
/// whole event as a document.
struct EventRow {
    var id: String
    /// The earliest possible start day, YYYY-MM-DD; nil when undated.
    var startDay: String?
    var startYear: Int?
    var kind: String
    /// Empty when none.
    var programmeID: String
    var programmeLink: String
    var example: Bool
    var etag: String
    var created: Int64
    var updated: Int64
    var document: Data

    init(_ stored: StoredEvent) throws {
        let event = stored.event
        id = stored.id
        startDay = event.startDate?.earliestDay.description
        startYear = event.startDate?.year
        kind = event.kind.rawValue
        programmeID = event.programmeID
        programmeLink = event.programmeLink.rawValue
        example = event.example
        etag = stored.etag
        created = stored.created
        updated = stored.updated
        document = try StoredDocuments.encode(event)
    }

    /// The event of a row's id, etag, times and document.
    static func storedEvent(
        id: String,
        etag: String,
        created: Int64,
        updated: Int64,
        document: Data
    ) throws -> StoredEvent {
        StoredEvent(
            id: id,
            event: try StoredDocuments.decode(Event.self, document),
            etag: etag,
            created: created,
            updated: updated
        )
    }
}
