import Foundation

/// The checks and merges a programme write makes, whichever database holds it.
enum ProgrammeWriteRules {
    /// The chain of ancestors from a programme's new parent upwards, as the `ancestorChainSQL` query returns
    /// it: refused when the parent does not exist, or when the chain reaches the programme itself (a cycle).
    static func checkParent(of programme: Programme, ancestors: [String]) throws(ProgrammeStoreError) {
        guard let parent = programme.parentID else { return }
        guard ancestors.first == parent else { throw .invalidParent("no programme \"\(parent)\"") }
        if ancestors.contains(programme.id) {
            throw .invalidParent("\(parent) would make a cycle of parents")
        }
    }

    /// Selects `id` of the programme bound as the first parameter (`$1` or `?`) and of each ancestor, nearest
    /// first. The depth bound stops the walk should a cycle already be stored.
    static func ancestorChainSQL(parameter: String) -> String {
        """
        WITH RECURSIVE chain (id, parent_id, depth) AS (
            SELECT id, parent_id, 0 FROM programmes WHERE id = \(parameter)
            UNION ALL
            SELECT p.id, p.parent_id, c.depth + 1 FROM programmes p JOIN chain c ON p.id = c.parent_id
            WHERE c.depth < 10000
        )
        SELECT id FROM chain ORDER BY depth
        """
    }

    /// The programme `change` makes of `current` (stored under `id`, which it keeps), refused when
    /// `expectedEtag` is not current; and whether its parent changed, which the store must then check.
    static func modified(
        _ current: StoredProgramme?,
        id: String,
        expectedEtag: String?,
        by change: (inout Programme) throws -> Void
    ) throws -> (programme: Programme, parentChanged: Bool) {
        guard let current else { throw ProgrammeStoreError.notFound(id) }
        if let expectedEtag, expectedEtag != current.etag {
            throw ProgrammeStoreError.staleEtag(id: id, current: current.etag)
        }
        var programme = current.programme
        try change(&programme)
        programme.id = id
        return (programme, programme.parentID != current.programme.parentID)
    }

    /// What an IATI activity matched to a stored programme should store: the activity's fields over the
    /// stored programme's, keeping what IATI does not carry; nil when that changes nothing.
    static func merge(activity: Programme, into existing: Programme) -> Programme? {
        var programme = activity
        programme.id = existing.id
        // Fields IATI does not carry stay as they were set through the API.
        programme.funding = existing.funding
        programme.agreements = existing.agreements
        programme.milestones = existing.milestones
        programme.targetSeries = existing.targetSeries
        programme.resourcesMobilised = existing.resourcesMobilised
        // The same content from another file (or path) is unchanged: provenance alone is no change.
        var sameProvenance = programme
        sameProvenance.provenance = existing.provenance
        return sameProvenance == existing ? nil : programme
    }

    /// A title word as a LIKE pattern matching it anywhere, with `\` escaping `%` and `_` in the word.
    static func likePattern(_ word: String) -> String {
        let escaped = word.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
        return "%\(escaped)%"
    }

    /// The WHERE conditions of a programme list in either database, each value stored through `bind`, which
    /// returns its placeholder; nil when nothing can match. `like` is the case-insensitive LIKE operator.
    static func listConditions(
        _ filter: ProgrammeFilter,
        afterID: String?,
        like: String,
        bind: (String) -> String
    ) -> [String]? {
        var conditions: [String] = []
        if let afterID { conditions.append("p.id > \(bind(afterID))") }
        if let country = filter.country {
            conditions.append("p.id IN (SELECT programme_id FROM programme_countries WHERE country = \(bind(country)))")
        }
        if let kind = filter.kind { conditions.append("p.kind = \(bind(kind.rawValue))") }
        if let status = filter.status { conditions.append("p.status = \(bind(status.rawValue))") }
        if let partner = filter.partner {
            conditions.append(
                "p.id IN (SELECT programme_id FROM programme_partners WHERE name_key = \(bind(partner.lowercased())))"
            )
        }
        if let type = filter.partnerType {
            conditions.append(
                "p.id IN (SELECT programme_id FROM programme_partners WHERE type = \(bind(type.rawValue)))"
            )
        }
        if let sdg = filter.sdg {
            conditions.append("p.id IN (SELECT programme_id FROM programme_sdgs WHERE code = \(bind(sdg)))")
        }
        for word in filter.titleWords {
            conditions.append("p.title \(like) \(bind(likePattern(word))) ESCAPE '\\'")
        }
        if let parent = filter.parentID { conditions.append("p.parent_id = \(bind(parent))") }
        if let ids = filter.ids {
            guard !ids.isEmpty else { return nil }
            conditions.append("p.id IN (\(ids.map(bind).joined(separator: ", ")))")
        }
        return conditions
    }
}
