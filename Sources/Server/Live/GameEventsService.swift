import Logging
import ServiceLifecycle

/// Keeps live streams going: a heartbeat to each every `heartbeat`, and, for a store that other
/// processes share, every change any process makes, read from the store and published.
/// On graceful shutdown it ends every stream.
///
/// Other processes' changes are followed only while a stream is open here, and for `linger`
/// after the last one closes: an idle server then holds no connection to the database, so that a
/// database that pauses when unused (Aurora Serverless v2 at 0 ACU) can pause. A stream opened
/// later catches up: the feed re-reads every watched game once it is following again.
struct GameEventsService: Service {
    let events: GameEvents
    let store: any GameStore
    let heartbeat: Duration
    let logger: Logger
    var linger = Duration.seconds(60)

    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: heartbeat)
                    events.heartbeat()
                }
            }
            if let feed = store as? any GameChangeFeed {
                group.addTask { await followWhileWatched(feed) }
            }
            group.addTask {
                try? await gracefulShutdown()
            }
            await group.next()
            events.closeAll()
            group.cancelAll()
        }
    }

    private func followWhileWatched(_ feed: any GameChangeFeed) async {
        var following: Task<Void, Never>?
        var unwatchedSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            if events.streamCount > 0 {
                unwatchedSince = nil
                if following == nil {
                    following = Task {
                        await feed.follow { id in await refresh(id.map { [$0] } ?? events.watchedGames) }
                    }
                }
            } else if let task = following {
                let since = unwatchedSince ?? .now
                unwatchedSince = since
                if ContinuousClock.now - since >= linger {
                    task.cancel()
                    await task.value
                    following = nil
                    unwatchedSince = nil
                }
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
        following?.cancel()
        await following?.value
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
