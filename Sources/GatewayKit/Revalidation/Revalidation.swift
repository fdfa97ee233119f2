import RPCCore

/// Conditional GETs the gateway may answer itself: the ETags it remembers, and the admission (key, scope,
/// rate limit) that a 304 passes exactly as a call would.
public struct Revalidation: Sendable {
    public let cache: RevalidationCache
    public let proxy: GatewayProxy
    /// The change streams the cache's positions come from; run each beside the server.
    public let followers: [RevisionFollower]

    public init(followers: [RevisionFollower], maxAge: Duration, proxy: GatewayProxy) {
        self.followers = followers
        self.cache = RevalidationCache(followers: followers, maxAge: maxAge)
        self.proxy = proxy
    }

    /// What to remember of an answer: under which key, at which positions.
    typealias Entry = (key: RevalidationCache.Key, positions: RevalidationCache.Positions)

    /// Whether a GET was answered without a call, or goes on to one.
    enum Outcome {
        case answered
        case call(Entry?)
    }

    /// What a JSON GET does before any call.
    enum Decision {
        /// Nothing moved since its ETag was sent: 304, with the rate-limit metadata.
        case notModified(etag: String, limits: Metadata)
        /// Admission refused it (the same error the call would have had).
        case refused(RPCError)
        /// Call the service; remember the answer's ETag under `key` at `positions` if one is given.
        case call(remember: Entry?)
    }

    /// Decides for a GET of the read at `path` with `request` (binary), from a caller with `metadata`.
    func decide(
        path: String,
        request: [UInt8],
        metadata: Metadata,
        peer: String,
        ifNoneMatch: [Substring]
    ) -> Decision {
        guard let method = proxy.method(forPath: path), method.descriptor.idempotency == .noSideEffects,
            let positions = cache.positions()
        else { return .call(remember: nil) }
        let key: RevalidationCache.Key
        do {
            key = .init(
                path: path,
                request: request,
                caller: try proxy.authenticate(method.descriptor, metadata: metadata)
            )
        } catch {
            return .call(remember: nil)  // the call answers UNAUTHENTICATED
        }
        guard !ifNoneMatch.isEmpty, let etag = cache.unchangedETag(key, candidates: ifNoneMatch) else {
            return .call(remember: (key, positions))
        }
        do {
            return .notModified(etag: etag, limits: try proxy.admit(method, metadata: metadata, peer: peer).limits)
        } catch {
            return .refused(error)
        }
    }
}

/// HTTP entity tags.
public enum EntityTags {
    /// The tags of an `If-None-Match` value (`"a", W/"b"` or `*`), compared weakly as RFC 9110 asks of it:
    /// a `W/` prefix is dropped.
    public static func parse(_ header: String?) -> [Substring] {
        guard let header else { return [] }
        return header.split(separator: ",").map { tag in
            var tag = tag.drop { $0 == " " }
            while tag.last == " " { tag = tag.dropLast() }
            return tag.hasPrefix("W/") ? tag.dropFirst(2) : tag
        }
    }
}
