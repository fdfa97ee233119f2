import NIOCore

/// A first-in first-out queue that keeps its oldest element inline and allocates only when a second one
/// is queued behind it.
///
/// A unary call queues one message each way, and `CircularBuffer()` allocates room for 16 on creation:
/// two allocations per call that this avoids.
struct CompactQueue<Element> {
    /// The oldest element; nil only when the queue is empty.
    private(set) var first: Element?
    /// Everything queued behind `first`, in order.
    private var rest: CircularBuffer<Element>?

    init() {}

    var isEmpty: Bool { first == nil }
    var count: Int { first == nil ? 0 : 1 + (rest?.count ?? 0) }

    mutating func append(_ element: Element) {
        if first == nil {
            first = element
        } else if rest == nil {
            var rest = CircularBuffer<Element>(initialCapacity: 4)
            rest.append(element)
            self.rest = rest
        } else {
            rest!.append(element)
        }
    }

    mutating func popFirst() -> Element? {
        guard let element = first else { return nil }
        first = rest?.popFirst()
        return element
    }

    /// Replaces the oldest element, which must exist (a partly consumed message).
    mutating func replaceFirst(with element: Element) {
        precondition(first != nil, "replaceFirst on an empty queue")
        first = element
    }

    mutating func removeAll() {
        first = nil
        rest = nil
    }
}
