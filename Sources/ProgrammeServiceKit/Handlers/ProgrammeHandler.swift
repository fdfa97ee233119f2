public import IndicatorsAPI
public import IsidAuth
import IsidStorage
public import ProgrammesAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

/// Serves isid.programmes.v1.ProgrammeService over a ProgrammeStore, with programme results from
/// IndicatorService. One file per RPC group beside this one.
public struct ProgrammeHandler: Isid_Programmes_V1_ProgrammeService.ServiceProtocol, AccessControlledService {
    public let store: any ProgrammeStore
    public let countries: CountryDirectory
    /// IndicatorService, for programme results; nil leaves every results part UNAVAILABLE.
    public let indicators: Isid_Indicators_V1_IndicatorService.Client?
    /// How long a results call waits for IndicatorService when the caller set no deadline.
    public let resultsTimeout: Duration
    let input: ProgrammeInput
    let output: ProgrammeOutput
    /// Largest number of changes in one WatchProgrammeChanges message.
    let watchBatchSize = 200
    /// Portfolio summaries by filter, as stored (before conversion: rates are not in the change log), for the
    /// change log's head. A summary adds up every programme it covers, while dashboards repeat a few.
    let portfolioSummaries = RevisionCache<ProgrammeFilter, PortfolioSummary>(limit: 32)

    public init(
        store: any ProgrammeStore,
        countries: CountryDirectory,
        indicators: Isid_Indicators_V1_IndicatorService.Client?,
        resultsTimeout: Duration = .seconds(5)
    ) {
        self.store = store
        self.countries = countries
        self.indicators = indicators
        self.resultsTimeout = resultsTimeout
        self.input = ProgrammeInput(countries: countries)
        self.output = ProgrammeOutput(countries: countries)
    }

    /// Writes need `programmes:write`; everything else reads.
    public var accessRules: [MethodDescriptor: AccessRule] {
        typealias Method = Isid_Programmes_V1_ProgrammeService.Method
        var rules: [MethodDescriptor: AccessRule] = [:]
        for method in Method.all { rules[method] = .requires(.programmesRead) }
        for method in [
            Method.createProgramme, Method.updateProgramme, Method.changeProgrammeStatus, Method.addFunding,
            Method.addTransaction, Method.addAgreement, Method.putExchangeRates, Method.importIatiActivities,
        ] {
            rules[method] = .requires(.programmesWrite)
        }
        return rules
    }

    /// Who is calling, for the history: the authenticated subject, or empty.
    var actor: String { Identity.current?.subject ?? "" }

    /// The stored programme; NOT_FOUND when there is none.
    func requireProgramme(_ id: String, field: String = "id") async throws -> StoredProgramme {
        if id.isEmpty { throw RPCError.invalidArgument("\(field) is required", fieldViolations: [(field, "required")]) }
        guard let stored = try await store.programme(id: id) else {
            throw RPCError(code: .notFound, message: "no programme \"\(id)\"")
        }
        return stored
    }

    /// The API's view of a stored programme.
    func proto(_ stored: StoredProgramme) -> Isid_Programmes_V1_Programme {
        var proto = output.proto(stored.programme)
        proto.etag = stored.etag
        proto.createTime = .with { $0.seconds = stored.created }
        proto.updateTime = .with { $0.seconds = stored.updated }
        return proto
    }
}
