import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Reads an IATI activity document with a streaming XML parser and hands each `iati-activity` element, as
/// a small tree, to a closure as soon as it is complete: memory stays bounded by the largest activity, not
/// the file.
final class IATIDocumentReader: NSObject, XMLParserDelegate {
    /// The `iati-activities/@version` the document declares, once the root element has been read.
    private(set) var version: String?
    private(set) var rootName: String?
    /// The root element (no children kept: activities are handed on as they complete).
    private var rootElement: XMLElementNode?
    private var rootClosed = false
    private let file: String
    private let onActivity: (XMLElementNode, String?) throws -> Void
    private var stack: [XMLElementNode] = []
    private var failure: (any Error)?
    private weak var parser: XMLParser?

    private init(file: String, onActivity: @escaping (XMLElementNode, String?) throws -> Void) {
        self.file = file
        self.onActivity = onActivity
    }

    /// Reads `data`, calling `onActivity` with each activity and the document's version. Throws an
    /// ``IATIImportError`` naming the line when the XML cannot be read or is not an IATI activity document.
    static func read(
        _ data: Data,
        file: String,
        onActivity: @escaping (XMLElementNode, String?) throws -> Void
    ) throws {
        let reader = IATIDocumentReader(file: file, onActivity: onActivity)
        // Through a stream: XMLParser(data:) reports an internal error at the end of large documents (seen on
        // Linux with a 22 MB file that other parsers read), while the streaming parser reads them whole.
        let parser = XMLParser(stream: InputStream(data: data))
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        reader.parser = parser
        parser.delegate = reader
        let parsed = parser.parse()
        if let failure = reader.failure { throw failure }
        guard parsed else {
            let line = parser.lineNumber
            let reason = parser.parserError.map { "\($0.localizedDescription)" } ?? "unreadable XML"
            throw IATIImportError(file: file, line: line, element: reader.stack.last?.name ?? "", message: reason)
        }
        if let open = reader.stack.last ?? (reader.rootClosed ? nil : reader.rootElement) {
            throw IATIImportError(
                file: file,
                line: parser.lineNumber,
                element: open.name,
                message: "the file ends inside <\(open.name)>"
            )
        }
        guard reader.rootName == "iati-activities" else {
            throw IATIImportError(
                file: file,
                line: 1,
                element: reader.rootName ?? "",
                message: "not an IATI activity file: the root element must be iati-activities"
            )
        }
    }

    func parser(
        _ parser: XMLParser,
        didStartElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        if rootName == nil {
            rootName = elementName
            version = attributeDict["version"]
            rootElement = XMLElementNode(name: elementName, attributes: [:], line: parser.lineNumber)
            return
        }
        let node = XMLElementNode(name: elementName, attributes: attributeDict, line: parser.lineNumber)
        stack.last?.append(node)
        stack.append(node)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        stack.last?.text += string
    }

    func parser(
        _ parser: XMLParser,
        didEndElement elementName: String,
        namespaceURI: String?,
        qualifiedName qName: String?
    ) {
        guard let node = stack.popLast() else {
            rootClosed = true
            return
        }
        guard stack.isEmpty else { return }
        guard node.name == "iati-activity" else { return }
        do {
            try onActivity(node, version)
        } catch {
            failure = error
            parser.abortParsing()
        }
    }
}

/// A file the importer cannot read: nothing of it is stored.
public struct IATIImportError: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let element: String
    public let message: String

    public init(file: String, line: Int, element: String, message: String) {
        self.file = file
        self.line = line
        self.element = element
        self.message = message
    }

    public var description: String { "\(file):\(line): \(element.isEmpty ? "" : "<\(element)> ")\(message)" }
}

/// Something accepted by interpretation rather than as the standard says.
public struct IATIWarning: Hashable, Sendable, CustomStringConvertible {
    public let line: Int
    public let element: String
    public let message: String

    public init(line: Int, element: String, message: String) {
        self.line = line
        self.element = element
        self.message = message
    }

    public var description: String { "line \(line): <\(element)> \(message)" }
}
