/// Why a conversion failed and where: `path` names the field in proto names (`programme.funding[2].amount`), so
/// the gateway can answer INVALID_ARGUMENT (HTTP 400) naming it.
public struct ProtoJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The JSON text is not JSON (RFC 8259), or exceeds the size or depth limit.
        case malformedJSON
        /// A JSON value does not fit its field (wrong type, out of range, bad enum name, bad timestamp...).
        case invalidValue
        /// A JSON key that names no field, when unknown fields are not ignored.
        case unknownField
        /// The protobuf binary is not valid for the message type.
        case malformedBinary
        /// A type name (a message type, an `Any`'s `@type`) the pool does not hold.
        case unknownType
        /// An HTTP request that does not fit its rule (a bad query parameter, a body where none is allowed).
        case invalidHTTPRequest
    }

    /// One step of a field path.
    public enum PathComponent: Sendable, Hashable {
        case field(String)
        case index(Int)
        case key(String)
    }

    public var kind: Kind
    /// From the outermost field inwards; empty for the message itself.
    public var pathComponents: [PathComponent]
    public var reason: String

    public init(_ kind: Kind, _ reason: String, path: [PathComponent] = []) {
        self.kind = kind
        self.reason = reason
        self.pathComponents = path
    }

    /// `a.b[2].c["key"]`; empty for the message itself.
    public var path: String {
        var text = ""
        for component in pathComponents {
            switch component {
            case .field(let name):
                if !text.isEmpty { text += "." }
                text += name
            case .index(let index): text += "[\(index)]"
            case .key(let key): text += "[\"\(key)\"]"
            }
        }
        return text
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }

    /// Prepends the step of an enclosing field; the error path is built only when an error travels outwards,
    /// so converting valid input costs nothing for it.
    func within(_ component: PathComponent) -> ProtoJSONError {
        var copy = self
        copy.pathComponents.insert(component, at: 0)
        return copy
    }
}

/// Runs `body`, adding `component` in front of the path of a `ProtoJSONError` it throws. One component, not a
/// variadic list: a variadic argument would allocate an array on every call, that is for every field converted.
@inline(__always)
func inPath<R>(_ component: ProtoJSONError.PathComponent, body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as ProtoJSONError {
        throw error.within(component)
    }
}

/// `inPath(.field(field.name))` without touching the name (a retain and release per field) unless it throws.
@inline(__always)
func inField<R>(_ field: FieldDescriptor, body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as ProtoJSONError {
        throw error.within(.field(field.name))
    }
}
