import Foundation

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
