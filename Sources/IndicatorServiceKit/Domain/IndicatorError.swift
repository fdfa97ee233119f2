/// Why a request cannot be served, in domain terms; the handlers turn it into a gRPC status.
public enum IndicatorError: Error, Sendable, Hashable {
    /// An unknown series or area (NOT_FOUND).
    case notFound(String)
    /// Malformed input: each violation names its field as the request spells it (INVALID_ARGUMENT).
    case invalid(String, [ObservationRules.Violation])
}
