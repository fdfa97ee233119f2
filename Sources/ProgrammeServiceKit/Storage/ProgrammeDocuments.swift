import Foundation

/// Programmes and reported figures as the stores keep them: one JSON document each, keys sorted, so the
/// same programme is the same bytes in either database and in the change log.
enum ProgrammeDocuments {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func encode(_ value: some Encodable) throws -> Data { try encoder.encode(value) }

    static func decode<Value: Decodable>(_ type: Value.Type, _ document: Data) throws -> Value {
        try JSONDecoder().decode(type, from: document)
    }
}

extension ReportedDataset {
    /// The programmes under new store ids, and the figures pointing at those ids, for seeding.
    func assigningNewIDs() -> (programmes: [Programme], figures: [ReportedFigure]) {
        var ids: [String: String] = [:]
        let programmes = self.programmes.map { programme in
            var programme = programme
            let key = programme.id
            programme.id = ProgrammeIDs.make()
            ids[key] = programme.id
            return programme
        }
        let figures = self.figures.map { figure in
            var figure = figure
            figure.programmeID = figure.programmeID.flatMap { ids[$0] }
            return figure
        }
        return (programmes, figures)
    }
}
