public import IsidStorage

/// Where ProgrammeService keeps programmes, exchange rates and the change log: `SQLiteProgrammeStore` or
/// `PostgresProgrammeStore`, which behave the same.
public protocol ProgrammeStore: ChangeSource, MigratedStore where Record == ProgrammeChange {
    /// Whether no programme is stored yet (a new database that needs seeding).
    func isEmpty() async throws -> Bool

    func programme(id: String) async throws -> StoredProgramme?

    /// Creates a programme under a new id. With a `requestID` seen before, returns the programme that request
    /// created and creates nothing.
    func create(_ programme: Programme, requestID: String?, actor: String) async throws -> StoredProgramme

    /// Reads the programme, lets `change` modify it, and writes it back, all in one transaction. With
    /// `expectedEtag`, a programme changed since is refused (``ProgrammeStoreError/staleEtag(id:current:)``).
    /// `change` may throw to refuse; then nothing is written.
    func modify(
        id: String,
        expectedEtag: String?,
        kind: ProgrammeChangeKind,
        fields: [String],
        reason: String,
        actor: String,
        change: @Sendable (inout Programme) throws -> Void
    ) async throws -> StoredProgramme

    /// Programmes matching `filter`, ordered by id, after `afterID`, at most `limit`.
    func programmes(matching filter: ProgrammeFilter, afterID: String?, limit: Int) async throws -> [StoredProgramme]

    /// Stores IATI activities, matched to programmes by IATI identifier: new ones created, changed ones
    /// updated, identical ones left alone. All or nothing.
    func importActivities(_ programmes: [Programme], actor: String) async throws -> ImportOutcome

    /// The changes of one programme after `revision`, oldest first.
    func history(programmeID: String, after revision: Int64, limit: Int) async throws -> [LoggedChange<ProgrammeChange>]

    /// Stores rates; a rate for the same currencies and date replaces the old one.
    func putExchangeRates(_ rates: [ExchangeRate]) async throws -> Int
    func exchangeRates() async throws -> [ExchangeRate]

    /// Stores a reported dataset's programmes and figures unless a dataset of that name was seeded before;
    /// all or nothing. Returns whether it stored anything.
    func seed(_ dataset: ReportedDataset, actor: String) async throws -> Bool

    /// The reported figures, of one programme or all, ordered by id.
    func reportedFigures(programmeID: String?) async throws -> [ReportedFigure]
}
