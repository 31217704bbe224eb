public import Game
public import YAML

/// Everything a config file says, validated, with defaults filled in.
///
/// An empty file decodes to ``Settings/defaults``: the seed's game of 3×3 tic-tac-toe for two
/// people at one screen, served on port 5000.
public struct Settings: Hashable, Sendable {
    public var server = ServerSettings()
    public var board = BoardSettings()
    public var players = PlayerSettings()
    public var opponent = OpponentSettings()
    public var theme = ThemeSettings()
    public var state = StateSettings()
    public var online = OnlineSettings()
    /// The `deploy:` section, which the server ignores and image builds and the ECS renderer read.
    public var deploy: DeploySettings?
    /// Where the settings came from, for messages.
    public var source = "built-in defaults"

    public init() {}

    public static let defaults = Settings()

    /// Things that are valid but probably not what the author wants.
    public var warnings: [String] {
        var warnings: [String] = []
        if opponent.level == .perfect, !Solver.canSolve(board.shape, rule: board.rule) {
            warnings.append(
                "opponent.level `perfect` cannot solve a \(board.shape) \(board.rule.rawValue) board within opponent.think_ms "
                    + "(\(opponent.thinkMilliseconds) ms); it will search as deep as that budget allows and may lose"
            )
        }
        if state.backend == .postgres, state.postgres == nil, deploy?.database == nil, deploy?.secrets["DATABASE_URL"] == nil,
            deploy?.secrets["PGPASSWORD"] == nil
        {
            warnings.append(
                "state.backend `postgres` names no database (state.url or state.host): the server will need DATABASE_URL or PGHOST… in its environment at start"
            )
        }
        if server.host == "127.0.0.1" || server.host == "localhost" {
            warnings.append("server.host `\(server.host)` accepts connections from this machine only; containers need 0.0.0.0")
        }
        return warnings
    }
}

public struct ServerSettings: Hashable, Sendable {
    public var host = "0.0.0.0"
    public var port = 5000
    /// The largest request body accepted; larger ones get 413.
    public var maxBodyBytes = 4096
    /// How long in-flight requests may take to finish after SIGTERM.
    public var shutdownGraceSeconds = 10
    public var logLevel = LogLevel.info
    public var logFormat = LogFormat.json
    public var limits = RateLimits()
    public var games = GameLimits()
    /// How often a live game stream sends a heartbeat, well under a load balancer's idle timeout.
    public var heartbeatSeconds = 15
    /// Peers whose `X-Forwarded-For` header is believed (a load balancer's addresses). Requests
    /// from any other peer are counted against the peer's own address, whatever they claim.
    public var trustedProxies: [CIDR] = []
    /// A keep-alive connection with no request in progress is closed after this long; so is one
    /// whose request stops arriving. Above a load balancer's idle timeout (60 s on AWS), so that
    /// the balancer, not the server, closes idle connections.
    public var idleTimeoutSeconds = 75
    /// A new connection must have sent its first request's headers within this time.
    public var headerTimeoutSeconds = 10
    /// Each request, head and body, must have fully arrived within this time of its head: a client
    /// that trickles its body is answered 408 and cut off. A 4 KiB body needs about a second on a
    /// slow mobile link.
    public var bodyTimeoutSeconds = 5
    /// The largest request head (request line and all header fields) accepted; larger gets 431.
    public var maxHeaderBytes = 16_384
    /// Open connections at once; `nil` sizes it from the memory the process may use.
    public var maxConnections: Int?
    /// Open connections one client address may hold (trusted proxies are exempt: many clients
    /// share their connections).
    public var maxConnectionsPerClient = 64
    public var streams = StreamLimits()
    /// Clients reach the server through HTTPS (a load balancer ends TLS): answers carry
    /// `Strict-Transport-Security`.
    public var behindHTTPS = false
    public var metrics = MetricsSettings()
}

/// The server's own metrics (requests, games, moves, the computer, streams, storage, refusals).
public struct MetricsSettings: Hashable, Sendable {
    public enum Format: String, Hashable, Sendable, CaseIterable {
        /// CloudWatch's embedded metric format: JSON lines on standard output, which CloudWatch
        /// Logs turns into metrics with no agent.
        case emf
        /// Not recorded.
        case off
    }
    public var format = Format.emf
    /// How often the aggregated figures are written.
    public var intervalSeconds = 60
    public var namespace = "tictactoe"
}

/// Bounds on live game streams (`GET /api/games/{id}/events`), each an open connection.
public struct StreamLimits: Hashable, Sendable {
    /// Streams one client address may hold open; beyond, 429.
    public var perClient = 8
    /// Streams open at once in the process; beyond, 503. `nil` sizes it from the memory the
    /// process may use.
    public var max: Int?
}

public enum LogLevel: String, Hashable, Sendable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

public enum LogFormat: String, Hashable, Sendable, CaseIterable {
    /// One JSON object per line, for CloudWatch and other collectors.
    case json
    /// One readable line per message, for a terminal.
    case text
}

/// Per-client request budgets. `nil` means unlimited.
public struct RateLimits: Hashable, Sendable {
    public var gamesPerMinute: Int?
    public var movesPerMinute: Int?
    public var isEnabled: Bool { gamesPerMinute != nil || movesPerMinute != nil }
}

public struct GameLimits: Hashable, Sendable {
    /// The most games kept at once; creating one more evicts the game idle longest.
    public var maxGames = 10_000
    /// A game untouched this long is forgotten.
    public var idleMinutes = 60
}

public struct BoardSettings: Hashable, Sendable {
    public var shape = BoardShape.classic
    public var rule = Rule.standard
}

public struct PlayerSettings: Hashable, Sendable {
    /// The symbols shown for the player who moves first and for the other one.
    public var firstSymbol = "X"
    public var secondSymbol = "O"

    public func symbol(for seat: Seat) -> String { seat == .first ? firstSymbol : secondSymbol }

    public func seat(for symbol: String) -> Seat? {
        symbol == firstSymbol ? .first : symbol == secondSymbol ? .second : nil
    }
}

public enum OpponentKind: String, Hashable, Sendable, CaseIterable {
    case human, computer
}

public struct OpponentSettings: Hashable, Sendable {
    /// The default for new games; each game may choose otherwise.
    public var kind = OpponentKind.human
    /// The seat the computer takes when it plays.
    public var computerSeat = Seat.second
    public var level = Level.perfect
    public var thinkMilliseconds = 200
    /// Threads reserved for the computer's searches, apart from the server's event loops.
    public var threads = 1
    /// Searches that may wait for a thread; beyond this, moves are refused with 503 `busy`.
    public var queueCapacity = 16

    public var computer: ComputerPlayer {
        ComputerPlayer(level: level, thinkTime: .milliseconds(thinkMilliseconds))
    }
}

/// Online games between two browsers: the turn clock and the quick-match queue.
public struct OnlineSettings: Hashable, Sendable {
    /// The turn clock of games started from a link: the seconds each move may take, after which
    /// the player to move loses. `nil`: no clock (friends may take their time).
    public var turnSeconds: Int?
    public var match = MatchSettings()
}

/// The quick-match queue ("Play someone"): one queue per board and rule, shared by every process
/// on the same PostgreSQL database.
public struct MatchSettings: Hashable, Sendable {
    /// The turn clock of quick-match games, whose players are strangers; `nil` turns it off.
    public var turnSeconds: Int? = 30
    /// The longest a player stays in the queue before being told nobody was found.
    public var waitSeconds = 120
    /// Players one client address may have waiting at once; beyond, 429.
    public var perClient = 2
    /// Players waiting at once in all; beyond, 503.
    public var max = 1000
}

public enum StateBackend: String, Hashable, Sendable, CaseIterable {
    case memory, sqlite, postgres
}

public struct StateSettings: Hashable, Sendable {
    public var backend = StateBackend.memory
    /// The SQLite file, for `sqlite`.
    public var path = "tictactoe.sqlite"
    /// The PostgreSQL URL, for `postgres`. Holds the password: print ``redactedURL`` instead.
    public var url: PostgresURL?
    /// The database to use, for `postgres`: the URL's parts with the separate settings
    /// (`state.host`…, `PGHOST`…) over them; `nil` when neither names a host.
    public var postgres: PostgresSettings?
    /// How long one storage operation may take before the request is answered with 503.
    public var timeoutMilliseconds = 3000

    /// `url` with its user and password replaced by `***`.
    public var redactedURL: String? { url?.redacted }

    /// `url` with everything between `://` and its last `@` (the user and password) replaced by
    /// `***`, so that no character of a password reaches the output, whatever characters it holds.
    static func redact(_ url: String) -> String {
        let parts = url.split(separator: "://", maxSplits: 1)
        guard parts.count == 2, let at = parts[1].lastIndex(of: "@") else { return url }
        return "\(parts[0])://***\(parts[1][at...])"
    }
}
