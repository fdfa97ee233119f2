public import Instrumentation
public import RPCCore

/// Reads trace headers from a call's metadata.
public struct MetadataExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: Metadata) -> String? { carrier.first(key) }
}

/// Writes trace headers into a call's metadata, replacing what was there.
public struct MetadataInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout Metadata) {
        carrier.replace(key, value)
    }
}
