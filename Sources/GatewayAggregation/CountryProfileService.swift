public import GatewayAPI
public import GatewayKit
import IndicatorsAPI
import IsidAuth
import NIOCore
import ParityAPI
import ProgrammesAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

/// isid.gateway.v1.CountryProfileService, served by the gateway itself: one economy's profile, asked of
/// IndicatorService, ProgrammeService and ParityService at once through the gateway's own pools. Each part runs
/// under its own deadline and answers for itself: a part that fails or runs late carries its status and the
/// others still come back.
public struct CountryProfileService: Isid_Gateway_V1_CountryProfileService.ServiceProtocol {
    public let proxy: GatewayProxy
    /// How long each part may take (never past the caller's deadline, less a margin to answer in).
    public let partTimeout: Duration

    /// Kept back from the caller's deadline to assemble and send the answer after the parts.
    static let answerMargin: Duration = .milliseconds(50)

    public init(proxy: GatewayProxy, partTimeout: Duration = .seconds(2)) {
        self.proxy = proxy
        self.partTimeout = partTimeout
    }

    public func getCountryProfile(
        request: Isid_Gateway_V1_GetCountryProfileRequest,
        context: ServerContext
    ) async throws -> Isid_Gateway_V1_CountryProfile {
        try Self.validate(request)
        let method = Isid_Gateway_V1_CountryProfileService.Method.getCountryProfile
        // The profile itself needs a known key, or anonymous reads of some domain; each part then needs its
        // own domain's read scope.
        let identity = try proxy.authenticate(method, metadata: context.requestMetadata)
        if identity == nil, proxy.settings.anonymousReadDomains.isEmpty {
            throw RPCError(code: .unauthenticated, message: "\(method) needs an API key: authorization: Bearer <key>")
        }
        context.addResponseMetadata(try proxy.limit(method, identity: identity, peer: context.peer))

        var deadline = NIODeadline.now() + TimeAmount(partTimeout)
        if let callerDeadline = context.deadline {
            deadline = min(deadline, callerDeadline - TimeAmount(Self.answerMargin))
        }
        let caller = UpstreamCaller(proxy: proxy, identity: identity, deadline: deadline)
        let area = request.areaCode

        async let indicatorParts = Self.indicatorParts(request, caller: caller)
        async let programmes = Self.programmes(area: area, caller: caller)
        async let parity = Self.parity(area: area, caller: caller)
        let (indicators, index, areaFailure) = await indicatorParts
        if let areaFailure, areaFailure.code == .notFound {
            throw RPCError(code: .notFound, message: "no economy has the code \(area)")
        }
        var profile = Isid_Gateway_V1_CountryProfile()
        profile.areaCode = area
        profile.indicators = indicators
        profile.index = index
        profile.programmes = await programmes
        profile.parity = await parity
        profile.complete = [
            profile.indicators?.status, profile.index?.status, profile.programmes?.status, profile.parity?.status,
        ].allSatisfy { $0?.code == 0 }
        return profile
    }

    static func validate(_ request: Isid_Gateway_V1_GetCountryProfileRequest) throws(RPCError) {
        let code = request.areaCode
        guard code.utf8.count == 3, code.utf8.allSatisfy({ $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }) else {
            throw RPCError.invalidArgument(
                "area_code: \"\(code)\" is not an ISO 3166-1 alpha-3 code of an economy",
                fieldViolations: [("area_code", "three upper-case letters, e.g. DEU")]
            )
        }
        guard (0...5).contains(request.maxComponentLagYears) else {
            throw RPCError.invalidArgument(
                "max_component_lag_years: \(request.maxComponentLagYears) is not 0 to 5",
                fieldViolations: [("max_component_lag_years", "0 to 5")]
            )
        }
    }

    /// IndicatorService's parts, which share the economy's latest values (the index year is chosen by them).
    static func indicatorParts(
        _ request: Isid_Gateway_V1_GetCountryProfileRequest,
        caller: UpstreamCaller
    ) async -> (Isid_Gateway_V1_IndicatorsPart, Isid_Gateway_V1_IndexPart, areaFailure: RPCError?) {
        let latest = await IndicatorParts.latest(area: request.areaCode, caller: caller)
        async let indicators = IndicatorParts.indicators(area: request.areaCode, latest: latest, caller: caller)
        async let index = IndicatorParts.index(
            area: request.areaCode,
            year: request.indexYear,
            lag: request.maxComponentLagYears,
            latest: latest,
            caller: caller
        )
        return (await indicators, await index, latest.areaFailure)
    }

    /// The programmes working in the economy: their money (the portfolio summary of those programmes) and
    /// the first page of them.
    static func programmes(area: String, caller: UpstreamCaller) async -> Isid_Gateway_V1_ProgrammesPart {
        let filter = Isid_Programmes_V1_ListProgrammesRequest.with {
            $0.countryCode = area
            $0.pageSize = 100
        }
        async let summary = result {
            try await caller.unary(
                Isid_Programmes_V1_ProgrammeService.Method.getPortfolioSummary,
                Isid_Programmes_V1_GetPortfolioSummaryRequest.with { $0.filter = filter },
                Isid_Programmes_V1_PortfolioSummary.self
            )
        }
        async let list = result {
            try await caller.unary(
                Isid_Programmes_V1_ProgrammeService.Method.listProgrammes,
                filter,
                Isid_Programmes_V1_ListProgrammesResponse.self
            )
        }
        var part = PartOutcome(value: Isid_Gateway_V1_ProgrammesPart(), failure: nil)
        switch await summary {
        case .success(let summary): part.value.portfolio = summary.total
        case .failure(let error): part.fail(error)
        }
        switch await list {
        case .success(let list):
            part.value.programmes = list.programmes
            part.value.nextPageToken = list.nextPageToken
        case .failure(let error): part.fail(error)
        }
        part.value.status = status(part.failure)
        return part.value
    }

    /// Panel parity of the events held in the economy: its group of the compliance report (zero counts when
    /// no event was held there).
    static func parity(area: String, caller: UpstreamCaller) async -> Isid_Gateway_V1_ParityPart {
        var part = Isid_Gateway_V1_ParityPart()
        do {
            let report = try await caller.unary(
                Isid_Parity_V1_ParityService.Method.getComplianceReport,
                Isid_Parity_V1_GetComplianceReportRequest(),
                Isid_Parity_V1_ComplianceReport.self
            )
            part.figures = report.byCountry.first { $0.key == area }?.figures ?? Isid_Parity_V1_ComplianceFigures()
            part.status = status(nil)
        } catch {
            part.status = status(error)
        }
        return part
    }

    /// A part's status: OK, or the failure's code and message.
    static func status(_ failure: RPCError?) -> Google_Rpc_Status {
        .with {
            $0.code = Int32(failure?.code.rawValue ?? 0)
            $0.message = failure?.message ?? ""
        }
    }

    /// A call's outcome as a value, so that concurrent calls can each fail on their own.
    static func result<Value: Sendable>(_ body: @Sendable () async throws -> Value) async -> Result<Value, RPCError> {
        do {
            return .success(try await body())
        } catch {
            return .failure(RPCError(from: error))
        }
    }
}
