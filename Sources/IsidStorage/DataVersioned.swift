/// A store that can say cheaply whether its data may have changed: a number that grows at every commit
/// anywhere (this process's or another's on the same database), read on every call that serves a cached
/// answer.
public protocol DataVersioned: Sendable {
    func dataVersion() async throws -> Int64
}
