import Logging
import ServiceLifecycle

/// Tells each live stream how many spectators its game has: every `interval`, this process's
/// counts, added up across processes by the store when it is a ``SpectatorTally``, go to the
/// streams whose count changed.
///
/// Talks to the store only while streams are open here (and once after the last one closes, to
/// withdraw this process's counts), so an idle server leaves the database alone.
struct SpectatorService: Service {
    let events: GameEvents
    let tally: (any SpectatorTally)?
    /// Names this process's counts in the shared tally.
    let process: String
    let interval: Duration
    let logger: Logger

    func run() async {
        await cancelWhenGracefulShutdown {
            var reported = false
            while !Task.isCancelled {
                let local = events.localSpectators
                if let tally, !local.isEmpty || reported {
                    do throws(StoreError) {
                        events.publishSpectators(try await tally.tallySpectators(process: process, local: local))
                        reported = !local.isEmpty
                    } catch {
                        logger.debug("could not tally spectators", metadata: ["reason": "\(error.description)"])
                    }
                } else {
                    events.publishSpectators(local)
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
