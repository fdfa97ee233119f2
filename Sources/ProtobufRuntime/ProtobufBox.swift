/// Immutable heap storage for a message field inside a type cycle (`message Tree { Tree left = 1; }`):
/// a struct can't contain itself. Generated setters make a new box, so the field keeps value semantics.
package final class ProtobufBox<Value: Hashable & Sendable>: Hashable, Sendable {
    package let value: Value

    package init(_ value: Value) {
        self.value = value
    }

    package static func == (lhs: ProtobufBox, rhs: ProtobufBox) -> Bool {
        lhs === rhs || lhs.value == rhs.value
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(value)
    }
}
