public import Foundation

/// What reading one IATI activity file gave: its programmes, in document order, and the liberties taken.
public struct IATIReadResult: Sendable {
    public let file: String
    /// The version the file declares: "2.01", "2.02" or "2.03".
    public let version: String
    public let programmes: [Programme]
    public let warnings: [IATIWarning]
}

/// Reads IATI activity XML, versions 2.01 to 2.03, into programmes. A file is read whole before anything is
/// stored, so a file that cannot be read leaves nothing behind.
public enum IATIReader {
    public static let supportedVersions: Set<String> = ["2.01", "2.02", "2.03"]

    /// Reads `data`, the content of `file`. Throws ``IATIImportError`` naming the line and element of what
    /// cannot be read.
    public static func read(_ data: Data, file: String, countries: CountryDirectory) throws -> IATIReadResult {
        var programmes: [Programme] = []
        var interpreter: IATIActivityInterpreter?
        var identifiers: [String: Int] = [:]
        var duplicateWarnings: [IATIWarning] = []
        try IATIDocumentReader.read(data, file: file) { activity, declared in
            guard let declared, supportedVersions.contains(declared) else {
                throw IATIImportError(
                    file: file,
                    line: 1,
                    element: "iati-activities",
                    message: "version \"\(declared ?? "")\" is not one this importer reads (2.01 to 2.03)"
                )
            }
            if interpreter == nil {
                interpreter = IATIActivityInterpreter(file: file, version: declared, countries: countries)
            }
            let programme = try interpreter!.interpret(activity)
            if let first = identifiers[programme.iatiIdentifier ?? ""] {
                // The same activity twice in one file: the later one is what the publisher means now.
                duplicateWarnings.append(
                    IATIWarning(
                        line: activity.line,
                        element: "iati-activity",
                        message: "\(programme.iatiIdentifier ?? "") repeats the activity at position \(first + 1); "
                            + "the later one is kept"
                    )
                )
                programmes[first] = programme
            } else {
                identifiers[programme.iatiIdentifier ?? ""] = programmes.count
                programmes.append(programme)
            }
        }
        let warnings = (interpreter?.warnings ?? []) + duplicateWarnings
        return IATIReadResult(
            file: file,
            version: interpreter?.version ?? "2.03",
            programmes: programmes,
            warnings: warnings.sorted { $0.line < $1.line }
        )
    }
}
