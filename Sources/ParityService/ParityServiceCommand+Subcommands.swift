import ArgumentParser
import IsidStorage
import ParityServiceKit
import ServerSupport
import ServiceStorage

extension ParityServiceCommand {
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or migrate the database schema, then list the applied migrations."
        )

        @OptionGroup var storage: ParityStorageOptions

        func run() async throws {
            try await ParityServiceBootstrap.openStore(try storage.location()).use { store in
                for name in try await store.appliedMigrations() { print(name) }
            }
        }
    }

    struct HealthCheck: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "health-check",
            abstract: "Exit 0 if the server at --host/--port reports SERVING (grpc.health.v1), 1 otherwise."
        )

        @OptionGroup var options: HealthCheckOptions

        func run() async throws {
            try await options.check(service: "isid.parity.v1.ParityService")
        }
    }
}
