import Metrics

/// The game server's own metrics, made once (after the metrics backend is bootstrapped) and
/// shared. Request counts and latency by route and status come from Hummingbird's
/// `MetricsMiddleware`; these are what only the game knows.
enum GameMetrics {
    static let gamesCreated = Dictionary(
        uniqueKeysWithValues: ["human", "computer", "online", "match"].map {
            ($0, Counter(label: "tictactoe.games.created", dimensions: [("opponent", $0)]))
        }
    )
    static let gamesFinished = Dictionary(
        uniqueKeysWithValues: ["won", "draw", "resigned", "timed_out"].map {
            ($0, Counter(label: "tictactoe.games.finished", dimensions: [("result", $0)]))
        }
    )
    static let moves = Dictionary(
        uniqueKeysWithValues: ["player", "computer"].map {
            ($0, Counter(label: "tictactoe.moves", dimensions: [("by", $0)]))
        }
    )
    static let computerThink = Timer(label: "tictactoe.computer.think")
    static let streamsOpen = Meter(label: "tictactoe.streams.open")
    static let refusals = Dictionary(
        uniqueKeysWithValues: [
            "rate_limited", "too_many_streams", "too_many_connections", "too_many_client_connections", "request_timeout", "queue_full",
        ].map {
            ($0, Counter(label: "tictactoe.refusals", dimensions: [("reason", $0)]))
        }
    )
    static let storeOperations = ["insert", "read", "update", "rematch", "seat", "match"]
    static let storeDuration = Dictionary(
        uniqueKeysWithValues: storeOperations.map {
            ($0, Timer(label: "tictactoe.store.duration", dimensions: [("operation", $0)]))
        }
    )
    static let storeErrors = Dictionary(
        uniqueKeysWithValues: storeOperations.map {
            ($0, Counter(label: "tictactoe.store.errors", dimensions: [("operation", $0)]))
        }
    )

    /// Idle connections closed to make room for new ones at the process's connection cap.
    static let idleConnectionsClosed = Counter(label: "tictactoe.connections.closed_idle")

    static func refused(_ reason: String) {
        refusals[reason]?.increment()
    }

    static func idleConnectionClosed() {
        idleConnectionsClosed.increment()
    }
}
