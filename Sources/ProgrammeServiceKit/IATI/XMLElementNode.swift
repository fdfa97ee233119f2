/// One XML element with what the IATI interpreter needs: attributes, child elements, text and the line it
/// started on. Built per activity, so a large file is never held as one tree.
final class XMLElementNode {
    let name: String
    let attributes: [String: String]
    let line: Int
    private(set) var children: [XMLElementNode] = []
    var text = ""

    init(name: String, attributes: [String: String], line: Int) {
        self.name = name
        self.attributes = attributes
        self.line = line
    }

    func append(_ child: XMLElementNode) { children.append(child) }

    /// Child elements named `name`, in document order.
    func children(_ name: String) -> [XMLElementNode] { children.filter { $0.name == name } }

    func child(_ name: String) -> XMLElementNode? { children.first { $0.name == name } }

    /// The attribute, trimmed; nil when absent or empty.
    subscript(attribute: String) -> String? {
        guard let value = attributes[attribute]?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }

    /// The element's text, trimmed.
    var trimmedText: String { text.trimmingSpaces }
}
