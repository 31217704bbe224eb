import CVersion
public import Config
public import Hummingbird
public import Logging
public import NIOCore
import ServiceLifecycle

/// The version `--version` prints and `/api/config` reports: `git describe` of the sources, as
/// `make` (and the image build) wrote it, the same that names the image's tags and labels; `dev`
/// for a build without make.
public let tictactoeVersion = String(cString: tictactoe_version())

/// Everything the server needs, made from settings: the store, the computer's queue and the
/// router. Tests call this, as does `tictactoe serve`.
public struct AppParts: Sendable {
    public var settings: Settings
    public var store: any GameStore
    public var computer: ComputerMoveQueue
    /// The live streams open in this process.
    public var events: GameEvents
    /// The connections open in this process.
    public var connections: ConnectionTable
    /// The game rules over the store, shared by the routes and the background services.
    public var service: GameService
    /// Names this process among those sharing a store (in the spectator tally).
    public var processID = SeatToken.random().hash.rawValue.prefix(16).description
    /// What sized the connection and stream caps a config leaves to `auto`.
    public var memory: MemoryBudget
    /// The metrics backend that `tictactoe serve` bootstrapped, flushed by the application;
    /// `nil` when metrics are off (and in tests, which record into swift-metrics' no-op backend).
    public var metrics: EMFMetricsFactory?

    /// The parts for `settings`, opening the configured state backend. `postgres` opens the
    /// `postgres` backend, which lives in its own module (`PostgresStore`, built with the
    /// `PostgreSQL` package trait); `nil` in a build without it.
    public static func make(
        settings: Settings,
        logger: Logger,
        postgres: PostgresOpener? = nil
    ) async throws(StartupError) -> AppParts {
        let options = StoreOptions(settings)
        switch settings.state.backend {
        case .memory:
            return try AppParts(settings: settings)
        case .sqlite:
            let store: SQLiteGameStore
            do {
                store = try await SQLiteGameStore.open(
                    path: settings.state.path,
                    maxGames: options.maxGames,
                    idleTimeout: options.idleTimeout,
                    logger: logger
                )
            } catch {
                throw StartupError("state.backend `sqlite`: \(error.description)")
            }
            return try AppParts(settings: settings, store: store)
        case .postgres:
            guard let database = settings.state.postgres else {
                throw StartupError(
                    "state.backend `postgres` needs a database: set DATABASE_URL, or PGHOST (with PGUSER, PGPASSWORD, PGDATABASE…), in the environment, or state.url or state.host in the config"
                )
            }
            guard let postgres else {
                throw StartupError(
                    "state.backend `postgres`: this build of tictactoe has no PostgreSQL support (it was built without the `PostgreSQL` package trait); use the default build, or `make image` for a variant that names postgres"
                )
            }
            let store: any GameStore
            do {
                store = try postgres(database, options, logger)
            } catch {
                throw StartupError("state.backend `postgres`: \(error.description)")
            }
            return try AppParts(settings: settings, store: store)
        }
    }

    /// The parts with `store`, or with a memory store when `settings` names the memory backend.
    public init(settings: Settings, store: (any GameStore)? = nil, memory: MemoryBudget = .current()) throws(StartupError) {
        guard store != nil || settings.state.backend == .memory else {
            throw StartupError("state.backend `\(settings.state.backend.rawValue)` needs its store opened: use AppParts.make")
        }
        self.settings = settings
        let options = StoreOptions(settings)
        self.store = store ?? MemoryGameStore(maxGames: options.maxGames, idleTimeout: options.idleTimeout)
        computer = ComputerMoveQueue(threads: settings.opponent.threads, capacity: settings.opponent.queueCapacity)
        self.memory = memory
        events = GameEvents(capacity: memory.maxStreams(settings.server), perClient: settings.server.streams.perClient)
        service = GameService(settings: settings, store: self.store, computer: computer, events: events)
        connections = ConnectionTable(
            limit: memory.maxConnections(settings.server),
            perClient: settings.server.maxConnectionsPerClient,
            trustedProxies: settings.server.trustedProxies
        )
    }
}

/// A setting that is valid YAML but that this server cannot run with.
public struct StartupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The router with every route and middleware.
public func buildRouter(_ parts: AppParts) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    let methods = RouteMethods()
    router.addMiddleware {
        ContentSecurityMiddleware(contentSecurityPolicy: SecurityHeadersMiddleware<AppRequestContext>.contentSecurityPolicy)
        SecurityHeadersMiddleware(behindHTTPS: parts.settings.server.behindHTTPS)
        LogRequestsMiddleware(.info)
        MetricsMiddleware()
        APIErrorMiddleware(routes: methods)
    }
    let routes = RecordingRouter(router, recordingInto: methods)
    let service = parts.service
    let clients = ClientAddress(trustedProxies: parts.settings.server.trustedProxies)
    let limits = ClientLimits(parts.settings.server.limits, clients: clients)
    PageRoutes(settings: parts.settings).add(to: routes)
    HealthRoutes(readiness: StoreReadiness(store: parts.store)).add(to: routes)
    GameRoutes(
        service: service,
        limits: limits,
        maxBodyBytes: parts.settings.server.maxBodyBytes,
        version: tictactoeVersion
    ).add(to: routes)
    GameStreamRoutes(service: service, clients: clients).add(to: routes)
    MatchRoutes(service: service, clients: clients, limits: limits, maxBodyBytes: parts.settings.server.maxBodyBytes).add(to: routes)
    return router
}

/// The application, ready for `runService()`.
public func buildApplication(_ parts: AppParts, logger: Logger) -> some ApplicationProtocol {
    let server = parts.settings.server
    let connections = parts.connections
    let headerTimeout = TimeAmount.seconds(Int64(server.headerTimeoutSeconds))
    let bodyTimeout = TimeAmount.seconds(Int64(server.bodyTimeoutSeconds))
    return Application(
        router: buildRouter(parts),
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    ConnectionAdmissionHandler(table: connections), RequestDeadlineHandler(headerTimeout: headerTimeout, bodyTimeout: bodyTimeout),
                    MalformedRequestResponder(),
                ],
                idleTimeout: .seconds(Int64(server.idleTimeoutSeconds)),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: server.maxHeaderBytes,
                    maxHeaderListSize: server.maxHeaderBytes,
                    maxHeaderFieldCount: 100
                )
            )
        ),
        configuration: .init(address: .hostname(server.host, port: server.port), serverName: nil),
        // Shut down last to first: the server drains (ending live streams), then the streams' upkeep
        // stops, then the store closes, then the computer's threads.
        services: [
            parts.computer, StoreService(store: parts.store),
            GameEventsService(events: parts.events, store: parts.store, heartbeat: .seconds(server.heartbeatSeconds), logger: logger),
            TurnClockService(service: parts.service),
            SpectatorService(
                events: parts.events,
                tally: parts.store as? any SpectatorTally,
                process: parts.processID,
                interval: parts.store is any SpectatorTally ? .seconds(5) : .seconds(1),
                logger: logger
            ),
        ] + (parts.metrics.map { [MetricsFlushService(factory: $0, interval: .seconds(server.metrics.intervalSeconds))] } ?? []),
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
