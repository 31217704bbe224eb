import MetricCatalog
import Metrics

/// The game server's own metrics, made once (after the metrics backend is bootstrapped) and
/// shared. Request counts and latency by route and status come from Hummingbird's
/// `MetricsMiddleware`; these are what only the game knows. Names come from ``MetricCatalog``.
enum GameMetrics {
    static let gamesCreated = Dictionary(
        uniqueKeysWithValues: ["human", "computer", "online", "match"].map {
            ($0, Counter(label: MetricCatalog.gamesCreated.name, dimensions: [(MetricCatalog.gamesCreated.dimensions[0], $0)]))
        }
    )
    static let gamesFinished = Dictionary(
        uniqueKeysWithValues: ["won", "draw", "resigned", "timed_out"].map {
            ($0, Counter(label: MetricCatalog.gamesFinished.name, dimensions: [(MetricCatalog.gamesFinished.dimensions[0], $0)]))
        }
    )
    static let moves = Dictionary(
        uniqueKeysWithValues: ["player", "computer"].map {
            ($0, Counter(label: MetricCatalog.moves.name, dimensions: [(MetricCatalog.moves.dimensions[0], $0)]))
        }
    )
    static let computerThink = Timer(label: MetricCatalog.computerThink.name)
    static let streamsOpen = Meter(label: MetricCatalog.streamsOpen.name)
    static let refusals = Dictionary(
        uniqueKeysWithValues: [
            "rate_limited", "too_many_streams", "too_many_connections", "too_many_client_connections", "request_timeout", "queue_full",
        ].map {
            ($0, Counter(label: MetricCatalog.refusals.name, dimensions: [(MetricCatalog.refusals.dimensions[0], $0)]))
        }
    )
    static let storeOperations = ["insert", "read", "update", "rematch", "seat", "match"]
    static let storeDuration = Dictionary(
        uniqueKeysWithValues: storeOperations.map {
            ($0, Timer(label: MetricCatalog.storeDuration.name, dimensions: [(MetricCatalog.storeDuration.dimensions[0], $0)]))
        }
    )
    static let storeErrors = Dictionary(
        uniqueKeysWithValues: storeOperations.map {
            ($0, Counter(label: MetricCatalog.storeErrors.name, dimensions: [(MetricCatalog.storeErrors.dimensions[0], $0)]))
        }
    )

    /// Idle connections closed to make room for new ones at the process's connection cap.
    static let idleConnectionsClosed = Counter(label: MetricCatalog.idleConnectionsClosed.name)

    static func refused(_ reason: String) {
        refusals[reason]?.increment()
    }

    static func idleConnectionClosed() {
        idleConnectionsClosed.increment()
    }
}
