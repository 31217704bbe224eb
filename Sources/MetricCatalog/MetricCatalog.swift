/// The metrics the server writes, by the names CloudWatch files them under: the one owner that the
/// server's counters and timers and the stack's dashboard both read, so that a renamed metric
/// renames its widget too.
///
/// Each metric is written with exactly the dimensions listed (EMF files a metric under its name and
/// its whole set of dimensions), into the namespace of `server.metrics.namespace`.
public enum MetricCatalog {
    /// One metric: its name and the names of its dimensions, in the order the server writes them.
    public struct Metric: Sendable, Hashable {
        public let name: String
        public let dimensions: [String]
    }

    /// Games started, by `opponent` (`human`, `computer`, `online`, `match`).
    public static let gamesCreated = Metric(name: "tictactoe.games.created", dimensions: ["opponent"])
    /// Games ended, by `result` (`won`, `draw`, `resigned`, `timed_out`).
    public static let gamesFinished = Metric(name: "tictactoe.games.finished", dimensions: ["result"])
    /// Moves played, `by` a `player` or the `computer`.
    public static let moves = Metric(name: "tictactoe.moves", dimensions: ["by"])
    /// Requests refused to protect the server, by `reason`.
    public static let refusals = Metric(name: "tictactoe.refusals", dimensions: ["reason"])
    /// Milliseconds the computer took to choose a move.
    public static let computerThink = Metric(name: "tictactoe.computer.think", dimensions: [])
    /// Live streams open in the process.
    public static let streamsOpen = Metric(name: "tictactoe.streams.open", dimensions: [])
    /// Milliseconds of one store operation, by `operation`, and its failures.
    public static let storeDuration = Metric(name: "tictactoe.store.duration", dimensions: ["operation"])
    public static let storeErrors = Metric(name: "tictactoe.store.errors", dimensions: ["operation"])
    /// Idle connections closed to make room at the process's connection cap.
    public static let idleConnectionsClosed = Metric(name: "tictactoe.connections.closed_idle", dimensions: [])

    /// Hummingbird's `MetricsMiddleware`: a request's duration (written in milliseconds) by route,
    /// method and status. The route is the router's pattern, such as ``moveRoute``.
    public static let requestDuration = Metric(
        name: "http.server.request.duration",
        dimensions: ["http.route", "http.request.method", "http.response.status_code"]
    )
    /// The route a move is posted to, as the router names it in ``requestDuration``.
    public static let moveRoute = "/api/games/{id}/moves"
}
