import ArgumentParser
import ParityServiceKit
import ServerSupport

extension ParityServiceCommand {
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or migrate the database schema, then list the applied migrations."
        )

        @OptionGroup var storage: ParityStorageOptions

        func run() async throws {
            let store = try SQLiteParityStore(path: storage.database)
            for name in try store.appliedMigrations() { print(name) }
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
