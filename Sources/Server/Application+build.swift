public import Config
public import Hummingbird
public import Logging
import ServiceLifecycle

/// The version `--version` prints and `/api/config` reports.
public let tictactoeVersion = "0.1.0"

/// Everything the server needs, made from settings: the store, the computer's queue and the
/// router. Tests call this, as does `tictactoe serve`.
public struct AppParts: Sendable {
    public var settings: Settings
    public var store: any GameStore
    public var computer: ComputerMoveQueue
    /// The live streams open in this process.
    public var events: GameEvents

    /// The parts for `settings`, opening the configured state backend.
    public static func make(settings: Settings, logger: Logger) async throws(StartupError) -> AppParts {
        let games = settings.server.games
        switch settings.state.backend {
        case .memory:
            return try AppParts(settings: settings)
        case .sqlite:
            let store: SQLiteGameStore
            do {
                store = try await SQLiteGameStore.open(
                    path: settings.state.path, maxGames: games.maxGames, idleTimeout: .seconds(games.idleMinutes * 60), logger: logger)
            } catch {
                throw StartupError("state.backend `sqlite`: \(error.description)")
            }
            return try AppParts(settings: settings, store: store)
        case .postgres:
            #if PostgreSQL
            guard let url = settings.state.url else {
                throw StartupError("state.backend `postgres` needs a database: set state.url in the config or the DATABASE_URL environment variable")
            }
            let store: PostgresGameStore
            do {
                store = try PostgresGameStore(
                    url: url, timeout: .milliseconds(settings.state.timeoutMilliseconds), maxGames: games.maxGames,
                    idleTimeout: .seconds(games.idleMinutes * 60), logger: logger)
            } catch {
                throw StartupError("state.backend `postgres`: \(error.description)")
            }
            return try AppParts(settings: settings, store: store)
            #else
            throw StartupError(
                "state.backend `postgres`: this build of tictactoe has no PostgreSQL support (it was built without the `PostgreSQL` package trait); use the default build, or `make image` for a variant that names postgres")
            #endif
        }
    }

    /// The parts with `store`, or with a memory store when `settings` names the memory backend.
    public init(settings: Settings, store: (any GameStore)? = nil) throws(StartupError) {
        guard store != nil || settings.state.backend == .memory else {
            throw StartupError("state.backend `\(settings.state.backend.rawValue)` needs its store opened: use AppParts.make")
        }
        self.settings = settings
        self.store = store ?? MemoryGameStore(
            maxGames: settings.server.games.maxGames,
            idleTimeout: .seconds(settings.server.games.idleMinutes * 60)
        )
        computer = ComputerMoveQueue(threads: settings.opponent.threads, capacity: settings.opponent.queueCapacity)
        events = GameEvents()
    }
}

/// A setting that is valid YAML but that this server cannot run with.
public struct StartupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The router with every route and middleware.
public func buildRouter(_ parts: AppParts) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.addMiddleware {
        ContentSecurityMiddleware(contentSecurityPolicy: SecurityHeadersMiddleware<AppRequestContext>.contentSecurityPolicy)
        SecurityHeadersMiddleware()
        LogRequestsMiddleware(.info)
        APIErrorMiddleware()
    }
    let service = GameService(settings: parts.settings, store: parts.store, computer: parts.computer, events: parts.events)
    PageRoutes(settings: parts.settings).add(to: router)
    HealthRoutes(store: parts.store).add(to: router)
    GameRoutes(
        service: service,
        limits: ClientLimits(parts.settings.server.limits),
        maxBodyBytes: parts.settings.server.maxBodyBytes,
        version: tictactoeVersion
    ).add(to: router)
    GameStreamRoutes(service: service).add(to: router)
    return router
}

/// The application, ready for `runService()`.
public func buildApplication(_ parts: AppParts, logger: Logger) -> some ApplicationProtocol {
    let server = parts.settings.server
    return Application(
        router: buildRouter(parts),
        configuration: .init(address: .hostname(server.host, port: server.port), serverName: nil),
        // Shut down last to first: the server drains (ending live streams), then the streams' upkeep
        // stops, then the store closes, then the computer's threads.
        services: [
            parts.computer, StoreService(store: parts.store),
            GameEventsService(events: parts.events, store: parts.store, heartbeat: .seconds(server.heartbeatSeconds), logger: logger),
        ],
        logger: logger
    )
}

extension Logger.Level {
    public init(_ level: LogLevel) {
        self = Logger.Level(rawValue: level.rawValue) ?? .info
    }
}

/// Runs the store's background work; closes it once the server has drained.
struct StoreService: Service {
    let store: any GameStore

    func run() async {
        await store.run()
    }
}
