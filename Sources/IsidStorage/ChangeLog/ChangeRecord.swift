/// What a change did to the entity it names. Stored as its raw value; the SQLite change log's CHECK lists
/// these, so a new case needs a migration of each service's change-log table.
public enum ChangeOperation: String, Sendable, Hashable, CaseIterable {
    /// The entity did not exist before.
    case inserted
    /// The entity existed with other content.
    case updated
    /// The entity was removed (a statistical release withdrew it); the record holds it as it last was.
    case withdrawn
}

/// One entry of a service's change log, declared by the service (IndicatorService: an observation written or
/// withdrawn). The log gives each entry its revision; the record carries the entity's key and content.
public protocol ChangeRecord: Sendable {
    var operation: ChangeOperation { get }
    /// What watch filters select on (IndicatorService: the series code).
    var scope: String { get }
}

/// A record as the log holds it: with the revision its commit gave it.
public struct LoggedChange<Record: ChangeRecord>: Sendable {
    /// Strictly increasing along the log, in commit order.
    public var revision: Int64
    public var record: Record

    public init(revision: Int64, record: Record) {
        self.revision = revision
        self.record = record
    }
}

extension LoggedChange: Equatable where Record: Equatable {}
extension LoggedChange: Hashable where Record: Hashable {}
