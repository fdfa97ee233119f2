import Logging
import ParityServiceKit
import ServiceLifecycle

/// Runs ``ProgrammeLinkRecheck`` every `interval` until the server drains. Logs counts only.
struct ProgrammeLinkRecheckService: Service {
    let recheck: ProgrammeLinkRecheck
    let interval: Duration
    let logger: Logger

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: interval)
                    do {
                        let outcome = try await recheck.run()
                        if outcome != ProgrammeLinkRecheck.Outcome() {
                            logger.info(
                                "Rechecked unverified programme links",
                                metadata: [
                                    "verified": "\(outcome.verified)", "not_found": "\(outcome.notFound)",
                                    "still_unverified": "\(outcome.stillUnverified)",
                                ]
                            )
                        }
                    } catch is CancellationError {
                        throw CancellationError()
                    } catch {
                        logger.warning("Programme link recheck failed", metadata: ["error": "\(error)"])
                    }
                }
            }
        } catch is CancellationError {
            // Draining: the next start rechecks what is left.
        }
    }
}
