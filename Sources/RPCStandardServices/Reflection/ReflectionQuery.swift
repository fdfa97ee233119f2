import ProtobufRuntime
import RPCCore

/// One reflection request and its answer, independent of the v1/v1alpha message types that carry them.
enum ReflectionQuery {
    case fileByFilename(String)
    case fileContainingSymbol(String)
    case fileContainingExtension(type: String, number: Int32)
    case allExtensionNumbersOfType(String)
    case listServices

    enum Answer {
        case files([[UInt8]])
        case extensionNumbers(type: String, numbers: [Int32])
        case services([String])
        case error(code: StatusCode, message: String)
    }

    func answer(from index: DescriptorIndex, sent: inout Set<String>) -> Answer {
        switch self {
        case .fileByFilename(let name):
            guard let file = index.file(named: name) else {
                return .error(code: .notFound, message: "File not found: \(name)")
            }
            return .files(index.fileWithDependencies(file, excluding: &sent))
        case .fileContainingSymbol(let symbol):
            guard let file = index.file(containingSymbol: symbol) else {
                return .error(code: .notFound, message: "Symbol not found: \(symbol)")
            }
            return .files(index.fileWithDependencies(file, excluding: &sent))
        case .fileContainingExtension(let type, let number):
            guard let file = index.file(containingExtension: number, of: type) else {
                return .error(code: .notFound, message: "Extension not found: \(type) field \(number)")
            }
            return .files(index.fileWithDependencies(file, excluding: &sent))
        case .allExtensionNumbersOfType(let type):
            guard let numbers = index.extensionNumbers(of: type) else {
                return .error(code: .notFound, message: "Type not found: \(type)")
            }
            return .extensionNumbers(type: type, numbers: numbers)
        case .listServices:
            return .services(index.serviceNames)
        }
    }
}
