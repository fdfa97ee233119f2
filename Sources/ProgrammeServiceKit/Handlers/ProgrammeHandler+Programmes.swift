public import ProgrammesAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

extension ProgrammeHandler {
    public func createProgramme(
        request: Isid_Programmes_V1_CreateProgrammeRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_Programme {
        var violations = FieldViolations()
        if request.requestId.count > 128 { violations.add("request_id", "at most 128 characters") }
        guard let proto = request.programme else {
            violations.add("programme", "required")
            try violations.check()
            throw RPCError(code: .internal, message: "unreachable")
        }
        let programme = input.programme(proto, id: "", field: "programme", violations: &violations)
        try violations.check()
        guard let programme else {
            throw RPCError(code: .internal, message: "a programme that passed its checks did not read")
        }
        let stored = try await store.create(
            programme,
            requestID: request.requestId.isEmpty ? nil : request.requestId,
            actor: actor
        )
        return self.proto(stored)
    }

    public func getProgramme(
        request: Isid_Programmes_V1_GetProgrammeRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_Programme {
        proto(try await requireProgramme(request.id))
    }

    public func listProgrammes(
        request: Isid_Programmes_V1_ListProgrammesRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_ListProgrammesResponse {
        var violations = FieldViolations()
        let filter = self.filter(request, violations: &violations)
        if !(0...500).contains(request.pageSize) { violations.add("page_size", "1 to 500, or 0 for 50") }
        let after = PageToken.lastID(request.pageToken, filter: filter, field: "page_token", violations: &violations)
        try violations.check()
        let pageSize = request.pageSize == 0 ? 50 : Int(request.pageSize)
        let page = try await store.programmes(matching: filter, afterID: after, limit: pageSize + 1)
        return .with {
            $0.programmes = page.prefix(pageSize).map(proto)
            if page.count > pageSize, let last = page.prefix(pageSize).last {
                $0.nextPageToken = PageToken.make(lastID: last.programme.id, filter: filter)
            }
        }
    }

    public func updateProgramme(
        request: Isid_Programmes_V1_UpdateProgrammeRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_Programme {
        guard let incoming = request.programme, !incoming.id.isEmpty else {
            throw RPCError.invalidArgument("programme.id is required", fieldViolations: [("programme.id", "required")])
        }
        var violations = FieldViolations()
        let paths = request.updateMask?.paths ?? []
        if paths.isEmpty { violations.add("update_mask", "name at least one field to change") }
        for (index, path) in paths.enumerated() where !ProgrammeUpdate.paths.contains(path) {
            violations.add(
                "update_mask.paths[\(index)]",
                path == "status"
                    ? "status changes through ChangeProgrammeStatus"
                    : "\"\(path)\" cannot be set; settable: \(ProgrammeUpdate.paths.sorted().joined(separator: ", "))"
            )
        }
        try violations.check()
        let input = self.input
        let output = self.output
        let stored = try await store.modify(
            id: incoming.id,
            expectedEtag: request.etag.isEmpty ? nil : request.etag,
            kind: .updated,
            fields: paths,
            reason: "",
            actor: actor
        ) { programme in
            try ProgrammeUpdate.apply(paths, from: incoming, to: &programme, input: input, output: output)
        }
        return proto(stored)
    }

    public func changeProgrammeStatus(
        request: Isid_Programmes_V1_ChangeProgrammeStatusRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_Programme {
        guard let next = ProgrammeInput.status(request.status) else {
            throw RPCError.invalidArgument("status is required", fieldViolations: [("status", "required")])
        }
        _ = try await requireProgramme(request.id)
        let stored = try await store.modify(
            id: request.id,
            expectedEtag: request.etag.isEmpty ? nil : request.etag,
            kind: .statusChanged,
            fields: ["status"],
            reason: request.reason,
            actor: actor
        ) { programme in
            guard programme.status.canMove(to: next) else {
                throw ProgrammeStoreError.illegalTransition(from: programme.status, to: next)
            }
            programme.status = next
        }
        return proto(stored)
    }

    public func addFunding(
        request: Isid_Programmes_V1_AddFundingRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_Programme {
        var violations = FieldViolations()
        let line = input.funding(request.funding ?? .init(), id: "", field: "funding", &violations)
        try violations.check()
        guard let line else { throw RPCError(code: .internal, message: "funding passed its checks but did not read") }
        return try await append(request.programmeId, etag: request.etag, kind: .fundingAdded, field: "funding") {
            var line = line
            line.id = "f\(($0.funding.compactMap { Int($0.id.dropFirst()) }.max() ?? 0) + 1)"
            $0.funding.append(line)
        }
    }

    public func addTransaction(
        request: Isid_Programmes_V1_AddTransactionRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_Programme {
        var violations = FieldViolations()
        let transaction = input.transaction(request.transaction ?? .init(), id: "", field: "transaction", &violations)
        try violations.check()
        guard let transaction else {
            throw RPCError(code: .internal, message: "a transaction passed its checks but did not read")
        }
        return try await append(
            request.programmeId,
            etag: request.etag,
            kind: .transactionAdded,
            field: "transactions"
        ) {
            var transaction = transaction
            transaction.id = "t\(($0.transactions.compactMap { Int($0.id.dropFirst()) }.max() ?? 0) + 1)"
            $0.transactions.append(transaction)
        }
    }

    public func addAgreement(
        request: Isid_Programmes_V1_AddAgreementRequest,
        context: ServerContext
    ) async throws -> Isid_Programmes_V1_Programme {
        var violations = FieldViolations()
        let agreement = input.agreement(request.agreement ?? .init(), id: "", field: "agreement", &violations)
        try violations.check()
        guard let agreement else {
            throw RPCError(code: .internal, message: "an agreement passed its checks but did not read")
        }
        return try await append(request.programmeId, etag: request.etag, kind: .agreementAdded, field: "agreements") {
            var agreement = agreement
            agreement.id = "a\(($0.agreements.compactMap { Int($0.id.dropFirst()) }.max() ?? 0) + 1)"
            $0.agreements.append(agreement)
        }
    }

    /// Adds a part to a programme in one transaction, ids numbered after the existing ones.
    private func append(
        _ id: String,
        etag: String,
        kind: ProgrammeChangeKind,
        field: String,
        _ change: @escaping @Sendable (inout Programme) -> Void
    ) async throws -> Isid_Programmes_V1_Programme {
        if id.isEmpty {
            throw RPCError.invalidArgument(
                "programme_id is required",
                fieldViolations: [("programme_id", "required")]
            )
        }
        let stored = try await store.modify(
            id: id,
            expectedEtag: etag.isEmpty ? nil : etag,
            kind: kind,
            fields: [field],
            reason: "",
            actor: actor
        ) { change(&$0) }
        return proto(stored)
    }

    /// The domain filter a list (or summary, or export) request describes.
    func filter(
        _ request: Isid_Programmes_V1_ListProgrammesRequest,
        violations: inout FieldViolations
    ) -> ProgrammeFilter {
        var filter = ProgrammeFilter()
        if !request.countryCode.isEmpty {
            if countries.entry(alpha3: request.countryCode) == nil {
                violations.add("country_code", "\"\(request.countryCode)\" is not a known ISO 3166-1 alpha-3 code")
            }
            filter.country = request.countryCode
        }
        if request.kind != .unspecified {
            filter.kind = ProgrammeInput.kind(request.kind)
            if filter.kind == nil { violations.add("kind", "not a known kind") }
        }
        if request.status != .unspecified {
            filter.status = ProgrammeInput.status(request.status)
            if filter.status == nil { violations.add("status", "not a known status") }
        }
        if !request.partner.isEmpty { filter.partner = request.partner }
        if request.partnerType != .unspecified {
            filter.partnerType = ProgrammeInput.partnerType(request.partnerType)
            if filter.partnerType == nil { violations.add("partner_type", "not a known partner type") }
        }
        if !request.sdg.isEmpty {
            if Int(request.sdg).map({ (1...17).contains($0) }) != true && !SDGTarget.isValid(request.sdg) {
                violations.add(
                    "sdg",
                    "\"\(request.sdg)\" is neither an SDG goal (1 to 17) nor a target such as \"9.2\""
                )
            }
            filter.sdg = request.sdg
        }
        filter.titleWords = request.titleContains.split(whereSeparator: \.isWhitespace).map(String.init)
        if !request.parentId.isEmpty { filter.parentID = request.parentId }
        return filter
    }
}
