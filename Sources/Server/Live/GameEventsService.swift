import Logging
import ServiceLifecycle

/// Keeps live streams going: a heartbeat to each every `heartbeat`, and, for a store that other
/// processes share, every change any process makes, read from the store and published.
/// On graceful shutdown it ends every stream.
struct GameEventsService: Service {
    let events: GameEvents
    let store: any GameStore
    let heartbeat: Duration
    let logger: Logger

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: heartbeat)
                    events.heartbeat()
                }
            }
            if let feed = store as? any GameChangeFeed {
                group.addTask {
                    await feed.follow { id in
                        await refresh(id.map { [$0] } ?? events.watchedGames)
                    }
                }
            }
            group.addTask {
                try? await gracefulShutdown()
            }
            await group.next()
            events.closeAll()
            group.cancelAll()
        }
    }

    private func refresh(_ games: [GameID]) async {
        for id in games where events.isWatched(id) {
            do {
                if let record = try await store.game(id) { events.publish(record) }
            } catch {
                logger.debug("could not read a watched game", metadata: ["game": "\(id)", "reason": "\(error.description)"])
            }
        }
    }
}
