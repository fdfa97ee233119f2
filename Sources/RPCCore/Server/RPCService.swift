/// A gRPC service: registers its methods' handlers with a router.
///
/// Generated service protocols implement `registerMethods` for you; you implement the methods.
public protocol RPCService: Sendable {
    func registerMethods(with router: inout RPCRouter)
}
