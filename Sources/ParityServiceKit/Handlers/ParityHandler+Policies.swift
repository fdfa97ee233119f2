public import ParityAPI
import ProtobufRuntime
public import RPCCore
import RPCErrorDetails
import StandardProtos

extension ParityHandler {
    public func publishPolicy(
        request: Isid_Parity_V1_PublishPolicyRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_PolicyVersion {
        var violations = FieldViolations()
        if request.policy == nil { violations.add("policy", "required") }
        let policy = ParityInput.policy(
            request.policy ?? Isid_Parity_V1_PolicyVersion(),
            prefix: "policy.",
            &violations
        )
        try violations.check()
        guard let policy else { throw RPCError(code: .internal, message: "policy not read") }
        return ParityOutput.policy(try await store.publishPolicy(policy, actor: actor))
    }

    public func listPolicies(
        request: Isid_Parity_V1_ListPoliciesRequest,
        context: ServerContext
    ) async throws -> Isid_Parity_V1_ListPoliciesResponse {
        let policies = try await store.policies()
        return .with { $0.policies = policies.map(ParityOutput.policy) }
    }
}
