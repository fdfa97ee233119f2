import IndicatorsAPI
import IsidStorage
import ProtobufRuntime

extension Isid_Indicators_V1_Observation {
    init(_ record: ObservationRecord) {
        self.init()
        seriesCode = record.seriesCode
        areaCode = record.areaCode
        year = Int32(record.year)
        value = record.value
        unit = record.unit
        nature = record.nature
        source = record.source
        footnote = record.footnote
        revision = record.revision
    }
}

extension ObservationRecord {
    init(_ input: Isid_Indicators_V1_ObservationInput) {
        self.init(
            seriesCode: input.seriesCode,
            areaCode: input.areaCode,
            year: Int(input.year),
            value: input.value,
            unit: input.unit,
            nature: input.nature,
            source: input.source,
            footnote: input.footnote
        )
    }
}

extension Isid_Indicators_V1_Change {
    init(_ change: ObservationChange) {
        self.init()
        revision = change.revision
        kind = change.kind == .inserted ? .inserted : .updated
        observation = .init(change.observation)
        previousValue = change.previousValue
    }
}

/// Parses and checks a client's revision token (INVALID_ARGUMENT for anything this server did not issue).
enum RevisionTokenField {
    static func parse(_ text: String, field: String, currentRevision: Int64) throws(IndicatorError) -> Int64 {
        guard let token = RevisionToken(parsing: text) else {
            throw .invalid("malformed revision token", [.init(field: field, description: "not a revision token")])
        }
        guard token.revision <= currentRevision else {
            throw .invalid(
                "revision token from the future",
                [.init(field: field, description: "revision \(token.revision) was never issued by this database")]
            )
        }
        return token.revision
    }

    static func format(_ revision: Int64) -> String { RevisionToken(revision: revision).description }
}
