public import ProgrammesAPI
import ProtobufRuntime
public import RPCCore

/// What ProgrammeService says about a programme id.
public enum ProgrammeLookup: Sendable, Hashable {
    case found
    case notFound
}

/// ProgrammeService could not answer (down, overloaded, out of time): the link cannot be checked now.
public struct ProgrammeServiceUnavailable: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// Where programme links are checked: ProgrammeService in production, a table in tests.
public protocol ProgrammeDirectory: Sendable {
    /// Throws ``ProgrammeServiceUnavailable`` when the answer cannot be had.
    func lookUp(programmeID: String) async throws -> ProgrammeLookup
}

/// ProgrammeService's GetProgramme over the RPC core's client. Called from a handler, the call carries the
/// caller's deadline (the client reads it from the handler's task).
public struct ProgrammeServiceDirectory: ProgrammeDirectory {
    public let client: Isid_Programmes_V1_ProgrammeService.Client
    /// Sent with each call, e.g. a bearer token when ProgrammeService's reads are not public.
    public let metadata: Metadata
    /// The longest a check waits; a caller's earlier deadline wins.
    public let timeout: Duration

    public init(
        client: Isid_Programmes_V1_ProgrammeService.Client,
        metadata: Metadata = [:],
        timeout: Duration = .seconds(5)
    ) {
        self.client = client
        self.metadata = metadata
        self.timeout = timeout
    }

    public func lookUp(programmeID: String) async throws -> ProgrammeLookup {
        do {
            _ = try await client.getProgramme(
                .with { $0.id = programmeID },
                metadata: metadata,
                options: CallOptions(timeout: timeout)
            )
            return .found
        } catch let error as RPCError where error.code == .notFound {
            return .notFound
        } catch let error as RPCError {
            throw ProgrammeServiceUnavailable("\(error.code): \(error.message)")
        } catch {
            throw ProgrammeServiceUnavailable("\(error)")
        }
    }
}

/// No ProgrammeService configured: every link is unavailable.
public struct NoProgrammeDirectory: ProgrammeDirectory {
    public init() {}

    public func lookUp(programmeID: String) async throws -> ProgrammeLookup {
        throw ProgrammeServiceUnavailable("no ProgrammeService is configured (--programme-service)")
    }
}

/// What a write does when ProgrammeService cannot confirm a programme link.
public enum UnverifiedLinkPolicy: String, Sendable, CaseIterable {
    /// The write fails with UNAVAILABLE and stores nothing (the default).
    case refuse
    /// The event is stored with the link marked unverified, and checked again later.
    case store
}
