public import NIOCore

/// The deadline of the call whose handler is running, so that calls it makes downstream inherit it.
///
/// The server sets it around each handler; the client takes the earlier of it and the call's own timeout.
public enum CallDeadline {
    @TaskLocal public static var current: NIODeadline?

    /// The earlier of two optional deadlines.
    public static func earliest(_ first: NIODeadline?, _ second: NIODeadline?) -> NIODeadline? {
        switch (first, second) {
        case (nil, let other), (let other, nil): return other
        case (let first?, let second?): return min(first, second)
        }
    }
}
