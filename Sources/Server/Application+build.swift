public import Config
public import Hummingbird
public import Logging

/// The version `--version` prints and `/api/config` reports.
public let tictactoeVersion = "0.1.0"

/// Everything the server needs, made from settings: the store, the computer's queue and the
/// router. Tests call this, as does `tictactoe serve`.
public struct AppParts: Sendable {
    public var settings: Settings
    public var store: any GameStore
    public var computer: ComputerMoveQueue

    public init(settings: Settings, store: (any GameStore)? = nil) throws(StartupError) {
        guard settings.state.backend == .memory else {
            throw StartupError(
                "state.backend `\(settings.state.backend.rawValue)` is not available in this version; use `memory` (the default)")
        }
        self.settings = settings
        self.store = store ?? MemoryGameStore(
            maxGames: settings.server.games.maxGames,
            idleTimeout: .seconds(settings.server.games.idleMinutes * 60)
        )
        computer = ComputerMoveQueue(threads: settings.opponent.threads, capacity: settings.opponent.queueCapacity)
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
    let service = GameService(settings: parts.settings, store: parts.store, computer: parts.computer)
    PageRoutes(settings: parts.settings).add(to: router)
    HealthRoutes(store: parts.store).add(to: router)
    GameRoutes(
        service: service,
        limits: ClientLimits(parts.settings.server.limits),
        maxBodyBytes: parts.settings.server.maxBodyBytes,
        version: tictactoeVersion
    ).add(to: router)
    return router
}

/// The application, ready for `runService()`.
public func buildApplication(_ parts: AppParts, logger: Logger) -> some ApplicationProtocol {
    let server = parts.settings.server
    return Application(
        router: buildRouter(parts),
        configuration: .init(address: .hostname(server.host, port: server.port), serverName: nil),
        services: [parts.computer],
        logger: logger
    )
}

extension Logger.Level {
    public init(_ level: LogLevel) {
        self = Logger.Level(rawValue: level.rawValue) ?? .info
    }
}
