public import ProtobufRuntime

/// Finds `.proto` files by name and by the symbols they define, for server reflection.
public struct DescriptorIndex: Sendable {
    private var filesByName: [String: ProtoFileDescriptor] = [:]
    private var fileNameBySymbol: [String: String] = [:]
    private var extensionNumbersByType: [String: [Int32]] = [:]
    private var fileNameByExtension: [String: String] = [:]
    /// Fully-qualified names of the services the server actually serves.
    public let serviceNames: [String]

    public init(files: [ProtoFileDescriptor], serviceNames: [String]) {
        self.serviceNames = serviceNames.sorted()
        // A file may come more than once (each module's filesWithImports repeats the standard files): the
        // first is kept, so an extension is not listed twice.
        for file in files where filesByName[file.name] == nil {
            filesByName[file.name] = file
            for symbol in file.symbols { fileNameBySymbol[symbol] = file.name }
            for fileExtension in file.extensions {
                extensionNumbersByType[fileExtension.extendedType, default: []].append(fileExtension.fieldNumber)
                fileNameByExtension["\(fileExtension.extendedType)#\(fileExtension.fieldNumber)"] = file.name
            }
        }
    }

    public func file(named name: String) -> ProtoFileDescriptor? { filesByName[name] }

    public func file(containingSymbol symbol: String) -> ProtoFileDescriptor? {
        fileNameBySymbol[symbol].flatMap { filesByName[$0] }
    }

    public func file(containingExtension number: Int32, of type: String) -> ProtoFileDescriptor? {
        fileNameByExtension["\(type)#\(number)"].flatMap { filesByName[$0] }
    }

    /// Extension numbers declared for a message type; nil when the type is unknown.
    public func extensionNumbers(of type: String) -> [Int32]? {
        guard fileNameBySymbol[type] != nil else { return nil }
        return (extensionNumbersByType[type] ?? []).sorted()
    }

    /// The file followed by its transitive imports, leaving out those already in `sent`, which it
    /// updates: a reflection stream sends each file once.
    public func fileWithDependencies(_ file: ProtoFileDescriptor, excluding sent: inout Set<String>) -> [[UInt8]] {
        var result: [[UInt8]] = []
        var pending = [file.name]
        while let name = pending.popLast() {
            guard !sent.contains(name), let next = filesByName[name] else { continue }
            sent.insert(name)
            result.append(next.serializedDescriptor)
            pending.append(contentsOf: next.dependencies)
        }
        return result
    }
}
