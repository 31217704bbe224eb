public import Config
import Game
import Locking
public import Logging
import NIOSSL
import PostgresNIO
public import Server
import ServiceLifecycle

/// Games in PostgreSQL, shared by any number of server processes.
///
/// Guarantees, for every process on the same database:
/// - every write is one statement; an update names the version it was computed from, so of two
///   racing moves exactly one is stored, whichever processes made them;
/// - every write that changes a game sends `NOTIFY tictactoe_games, '<id>'` in the same statement,
///   so the notification is delivered exactly when the change is committed (see ``follow(_:)``);
/// - every operation gives up after `timeout` with a ``StoreError``: a database that is down or
///   unreachable costs a 503, never a hang;
/// - the schema is created or migrated under an advisory lock, so tasks starting together apply
///   each migration once. Until it has been, operations and readiness report why.
///
/// Idle games are deleted and the game cap enforced by a sweep every ``sweepInterval``, so the
/// table can exceed `maxGames` by the games created within one interval. Reads refresh a game's
/// idle clock at most once a minute, so that most reads write nothing.
public final class PostgresGameStore: GameStore, GameChangeFeed, RematchLinking {
    static let channel = "tictactoe_games"
    static let sweepInterval = Duration.seconds(30)
    static let columns = PostgresStatements.columns

    let client: PostgresClient
    private let listenConfiguration: PostgresConnection.Configuration
    /// Game operations run so far (not sweeps), so that upkeep sweeps only after some.
    private let operations = Mutex(0)
    private let timeout: Duration
    private let maxGames: Int
    private let idleSeconds: Double
    let logger: Logger
    private let schema = Mutex<SchemaState>(.pending("the schema has not been created yet"))
    /// Why the last connection attempt of this store failed, while the database is unreachable;
    /// added to time-out messages, since the pool itself only makes requests wait.
    private let connectionProblem = Mutex<String?>(nil)
    private let stopSignal = AsyncStream<Void>.makeStream()

    enum SchemaState {
        case pending(String)
        case ready
    }

    /// A store for `database`. Connects lazily: an unreachable database is reported by operations
    /// and ``checkHealth()``, not here; a CA file that cannot be read is reported here. Call
    /// ``run()`` (a ServiceLifecycle service) while it is used.
    public init(database url: PostgresSettings, timeout: Duration, maxGames: Int, idleTimeout: Duration, logger: Logger) throws(StoreError) {
        let verified = try Self.verifiedTLS(rootCertificates: url.sslRootCert, source: url.sources["sslrootcert"])
        var clientConfiguration = PostgresClient.Configuration(
            host: url.host,
            port: url.port,
            username: url.user,
            password: url.password,
            database: url.database,
            tls: Self.clientTLS(url.sslMode, verified: verified)
        )
        clientConfiguration.options.connectTimeout = min(timeout, .seconds(10))
        clientConfiguration.options.additionalStartupParameters = [("application_name", "tictactoe")]
        // The pool logs every failed connection attempt at `info`; our own warnings say it once.
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        client = PostgresClient(configuration: clientConfiguration, backgroundLogger: quiet)
        var listen = PostgresConnection.Configuration(
            host: url.host,
            port: url.port,
            username: url.user,
            password: url.password,
            database: url.database,
            tls: try Self.connectionTLS(url.sslMode, verified: verified)
        )
        listen.options.connectTimeout = .milliseconds(min(timeout, .seconds(10)).milliseconds)
        listen.options.additionalStartupParameters = [("application_name", "tictactoe-listen")]
        listenConfiguration = listen
        self.timeout = timeout
        self.maxGames = maxGames
        self.idleSeconds = Double(idleTimeout.components.seconds)
        self.logger = logger
    }

    // MARK: Lifecycle

    /// Runs the connection pool and the schema and expiry upkeep until ``shutdown()`` or graceful
    /// shutdown; then closes every connection.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.upkeep() }
            group.addTask {
                await withGracefulShutdownHandler {
                    for await _ in self.stopSignal.stream {}
                } onGracefulShutdown: {
                    self.stopSignal.continuation.finish()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    public func shutdown() async {
        stopSignal.continuation.finish()
    }

    /// Migrates as soon as the database answers, then sweeps expired and surplus games, but only
    /// after games were used since the last sweep: an idle server sends the database nothing (the
    /// pool closes idle connections after a minute), so a database that pauses when unused can.
    private func upkeep() async {
        var logged = false
        var sweptAfter = -1
        while !Task.isCancelled {
            do throws(StoreError) {
                try await migrate()
                let used = operations.withLock { $0 }
                if used != sweptAfter {
                    try await sweep()
                    sweptAfter = used
                }
                try? await Task.sleep(for: Self.sweepInterval)
                logged = false
            } catch {
                if !logged { logger.warning("PostgreSQL is not ready; retrying", metadata: ["reason": "\(error.description)"]) }
                logged = true
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    // MARK: Schema

    /// Schema changes in order; `tictactoe_schema.version` counts those applied.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE games (
                id text PRIMARY KEY,
                rows integer NOT NULL, cols integer NOT NULL, win_length integer NOT NULL, rule text NOT NULL,
                moves text NOT NULL, version integer NOT NULL,
                opponent text NOT NULL, computer_seat integer NOT NULL, rematch_id text,
                online boolean NOT NULL DEFAULT false, seat_first text, seat_second text,
                touched_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            "CREATE INDEX games_touched_at ON games (touched_at)",
        ],
        [
            """
            ALTER TABLE games ADD COLUMN score_first integer NOT NULL DEFAULT 0,
                ADD COLUMN score_second integer NOT NULL DEFAULT 0, ADD COLUMN score_draws integer NOT NULL DEFAULT 0
            """
        ],
        [
            "ALTER TABLE games ADD COLUMN turn_seconds integer, ADD COLUMN turn_deadline_ms bigint",
            """
            CREATE TABLE match_queue (
                ticket text PRIMARY KEY, queue text NOT NULL, client text NOT NULL,
                joined_at timestamptz NOT NULL DEFAULT now(), seen_at timestamptz NOT NULL DEFAULT now(),
                game_id text, seat integer
            )
            """,
            "CREATE INDEX match_queue_waiting ON match_queue (queue, joined_at) WHERE game_id IS NULL",
            """
            CREATE TABLE game_spectators (
                game_id text NOT NULL, process text NOT NULL, spectators integer NOT NULL,
                seen_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (game_id, process)
            )
            """,
        ],
    ]

    /// Creates or migrates the schema once; concurrent callers in any process wait on one
    /// advisory lock, and those that come second find the work done.
    public func migrate() async throws(StoreError) {
        if case .ready = schema.withLock({ $0 }) { return }
        do {
            // A connection of its own first: the pool retries a refused login or a missing
            // database silently, and this says which it is.
            try await probe()
            try await withStoreDeadline(timeout * 3, "PostgreSQL schema migration") { [client, logger] in
                do {
                    try await client.withTransaction(logger: logger) { connection in
                        try await Self.applyMigrations(on: connection, logger: logger)
                    }
                } catch {
                    throw StoreError(Self.reason(error))
                }
            }
        } catch {
            let reason = "the schema could not be created: \(error.description)"
            schema.withLock { $0 = .pending(reason) }
            throw StoreError(reason)
        }
        schema.withLock { $0 = .ready }
    }

    /// Runs inside one transaction: takes the migration lock, then applies what is missing.
    private static func applyMigrations(on connection: PostgresConnection, logger: Logger) async throws {
        // An arbitrary constant that names this application's migration lock.
        try await connection.query("SELECT pg_advisory_xact_lock(7346051776)", logger: logger)
        try await connection.query("CREATE TABLE IF NOT EXISTS tictactoe_schema (version integer NOT NULL)", logger: logger)
        var applied: Int?
        for try await version in try await connection.query("SELECT version FROM tictactoe_schema", logger: logger).decode(Int.self) {
            applied = version
        }
        for statements in migrations.dropFirst(applied ?? 0) {
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
        let target = migrations.count
        if applied == nil {
            try await connection.query("INSERT INTO tictactoe_schema (version) VALUES (\(target))", logger: logger)
        } else if let applied, applied < target {
            try await connection.query("UPDATE tictactoe_schema SET version = \(target)", logger: logger)
        }
    }

    /// Deletes idle games, then the longest idle ones beyond `maxGames`. Runs every
    /// ``sweepInterval`` while the store runs; public for operators' tools and tests.
    public func sweep() async throws(StoreError) {
        try await run("sweep") { client, logger, idle, max in
            try await client.query("DELETE FROM games WHERE touched_at < now() - make_interval(secs => \(idle))", logger: logger)
            try await client.query("DELETE FROM match_queue WHERE seen_at < now() - interval '1 hour'", logger: logger)
            try await client.query("DELETE FROM game_spectators WHERE seen_at < now() - interval '5 minutes'", logger: logger)
            try await client.query(
                "DELETE FROM games WHERE id IN (SELECT id FROM games ORDER BY touched_at DESC OFFSET \(max))",
                logger: logger
            )
        }
    }

    /// Opens and closes one connection; throws the server's or the network's reason.
    private func probe() async throws(StoreError) {
        let configuration = listenConfiguration
        let logger = logger
        do {
            try await withStoreDeadline(timeout, "PostgreSQL (connect)") {
                do {
                    let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
                    try? await connection.close()
                } catch {
                    throw StoreError("cannot connect to PostgreSQL: \(Self.reason(error))")
                }
            }
            connectionProblem.withLock { $0 = nil }
        } catch {
            connectionProblem.withLock { $0 = error.description }
            throw error
        }
    }

    // MARK: GameStore

    public func insert(_ record: GameRecord) async throws(StoreError) {
        try await ready()
        let statement = PostgresStatements.InsertGame(columns: Row(record).columns)
        try await run("insert") { client, logger, _, _ in
            for try await _ in try await client.execute(statement, logger: logger) {}
        }
    }

    public func game(_ id: GameID) async throws(StoreError) -> GameRecord? {
        try await ready()
        let key = id.rawValue
        let rows = try await run("read") { client, logger, idle, _ in
            var rows: [Row] = []
            for try await columns in try await client.execute(PostgresStatements.ReadGame(id: key, idleSeconds: idle), logger: logger) {
                rows.append(Row(columns))
            }
            return rows
        }
        return try rows.first.map { row throws(StoreError) in try row.record() }
    }

    public func update(_ record: GameRecord, expectedVersion: Int) async throws(StoreError) -> UpdateResult {
        try await ready()
        let r = Row(record)
        let statement = PostgresStatements.UpdateGame(
            id: r.id,
            moves: r.moves,
            version: r.version,
            expectedVersion: expectedVersion,
            turnDeadline: record.clock?.deadline
        )
        let stored = try await run("update") { client, logger, _, _ in
            var count = 0
            for try await _ in try await client.execute(statement, logger: logger) { count += 1 }
            return count
        }
        if stored > 0 { return .updated }
        guard let current = try await game(record.id) else { return .notFound }
        return .conflict(current: current)
    }

    public func rematch(of original: GameID, makeGame: @Sendable (GameRecord) -> GameRecord) async throws(StoreError) -> GameRecord? {
        try await rematchByClaimingLink(of: original, makeGame: makeGame)
    }

    package func claimRematchLink(of original: GameID, to new: GameID) async throws(StoreError) -> Bool {
        let oldKey = original.rawValue
        let newKey = new.rawValue
        return try await run("rematch") { client, logger, _, _ in
            try await Self.count(
                client.query(
                    """
                    WITH linked AS (
                        UPDATE games SET rematch_id = \(newKey), touched_at = now() WHERE id = \(oldKey) AND rematch_id IS NULL RETURNING id
                    )
                    SELECT linked.id FROM linked, LATERAL (SELECT pg_notify(\(Self.channel), linked.id)) AS notified
                    """,
                    logger: logger
                )
            )
        } > 0
    }

    package func delete(_ id: GameID) async throws(StoreError) {
        let key = id.rawValue
        try await run("delete") { client, logger, _, _ in
            try await client.query("DELETE FROM games WHERE id = \(key)", logger: logger)
        }
    }

    public func claimSeat(in id: GameID, token: TokenHash, at now: Int64) async throws(StoreError) -> SeatClaim {
        try await ready()
        let key = id.rawValue
        let hash = token.rawValue
        // Every right-hand side sees the row as it was, so one statement claims exactly one seat;
        // a claim that fills the last open seat starts the turn clock.
        let rows = try await run("seat claim") { client, logger, idle, _ in
            try await Self.collect(
                client.query(
                    """
                    WITH claimed AS (
                        UPDATE games SET
                            seat_first = coalesce(seat_first, \(hash)),
                            seat_second = CASE WHEN seat_first IS NOT NULL THEN coalesce(seat_second, \(hash)) ELSE seat_second END,
                            turn_deadline_ms = CASE WHEN turn_seconds IS NOT NULL AND (seat_first IS NULL) <> (seat_second IS NULL)
                                THEN \(now) + turn_seconds * 1000 ELSE turn_deadline_ms END,
                            touched_at = now()
                        WHERE id = \(key) AND online AND (seat_first IS NULL OR seat_second IS NULL)
                            AND touched_at >= now() - make_interval(secs => \(idle))
                        RETURNING \(unescaped: Self.columns)
                    )
                    SELECT claimed.* FROM claimed, LATERAL (SELECT pg_notify(\(Self.channel), claimed.id)) AS notified
                    """,
                    logger: logger
                )
            )
        }
        if let row = rows.first {
            let record = try row.record()
            return .claimed(record.seats?.first == token ? .first : .second, record)
        }
        guard let current = try await game(id) else { return .notFound }
        return .noOpenSeat(current)
    }

    public func checkHealth() async throws(StoreError) {
        try await ready()
        try await run("health check") { client, logger, _, _ in
            try await client.query("SELECT 1", logger: logger)
        }
    }

    // MARK: GameChangeFeed

    /// Listens on one dedicated connection for the games that any process changed, reconnecting
    /// with backoff when it drops. After each (re)connection `onChange(nil)` says that changes may
    /// have been missed. A ping every few seconds notices a connection that died silently.
    public func follow(_ onChange: @escaping @Sendable (GameID?) async -> Void) async {
        var delay = Duration.milliseconds(250)
        var failing = false
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(configuration: listenConfiguration, id: 0, logger: logger)
                do {
                    try await connection.listen(on: Self.channel) { notifications in
                        if failing { logger.notice("PostgreSQL notifications resumed") }
                        failing = false
                        connectionProblem.withLock { $0 = nil }
                        delay = .milliseconds(250)
                        await onChange(nil)
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            group.addTask {
                                for try await notification in notifications {
                                    if let id = GameID(notification.payload) { await onChange(id) }
                                }
                            }
                            group.addTask { [timeout] in
                                while true {
                                    try await Task.sleep(for: .seconds(5))
                                    try await withStoreDeadline(timeout, "the notification connection's ping") {
                                        try await connection.query("SELECT 1", logger: self.logger)
                                    }
                                }
                            }
                            try await group.next()
                            group.cancelAll()
                        }
                    }
                } catch {
                    try? await connection.close()
                    throw error
                }
                try? await connection.close()
            } catch {
                if Task.isCancelled { return }
                connectionProblem.withLock { $0 = "cannot connect to PostgreSQL: \(Self.reason(error))" }
                if !failing {
                    logger.warning("PostgreSQL notifications interrupted; reconnecting", metadata: ["reason": "\(Self.reason(error))"])
                }
                failing = true
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(5))
        }
    }

    // MARK: Helpers

    func ready() async throws(StoreError) {
        if case .ready = schema.withLock({ $0 }) { return }
        try await migrate()
    }

    @discardableResult
    func run<T: Sendable>(
        _ what: String,
        _ body: @escaping @Sendable (PostgresClient, Logger, Double, Int) async throws -> T
    ) async throws(StoreError) -> T {
        let client = client
        let logger = logger
        let idle = idleSeconds
        let max = maxGames
        if what != "sweep" { operations.withLock { $0 &+= 1 } }
        do {
            return try await withStoreDeadline(timeout, "PostgreSQL (\(what))") {
                do {
                    return try await body(client, logger, idle, max)
                } catch {
                    throw StoreError("PostgreSQL (\(what)): \(Self.reason(error))")
                }
            }
        } catch {
            guard let problem = connectionProblem.withLock({ $0 }) else { throw error }
            throw StoreError("\(error.description) (\(problem))")
        }
    }

    static func collect(_ rows: PostgresRowSequence) async throws -> [Row] {
        var out: [Row] = []
        for try await row in rows {
            out.append(try Row(row))
        }
        return out
    }

    private static func count(_ rows: PostgresRowSequence) async throws -> Int {
        var n = 0
        for try await _ in rows { n += 1 }
        return n
    }

    /// What went wrong, for people: the server's message or the connection error, never the
    /// query's parameters or the password.
    static func reason(_ error: any Error) -> String {
        if let error = error as? StoreError { return error.description }
        if let error = error as? PostgresTransactionError {
            let inner: (any Error)? = error.beginError ?? error.closureError ?? error.commitError ?? error.rollbackError
            return inner.map(reason) ?? "the transaction failed"
        }
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return "the server said: \(message)" }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }

    /// `verify-full`: the certificate checked against `rootCertificates` (a PEM file) when given,
    /// else the system's trusted roots, and the host name checked against it.
    private static func verifiedTLS(rootCertificates path: String?, source: String?) throws(StoreError) -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        guard let path else { return configuration }
        do {
            let certificates = try NIOSSLCertificate.fromPEMFile(path)
            guard !certificates.isEmpty else { throw StoreError("it holds no PEM certificate") }
            configuration.trustRoots = .certificates(certificates)
        } catch {
            throw StoreError(
                "sslrootcert \(path) (from \(source ?? "state.sslrootcert")) cannot be used as the certificate authorities to trust: \(error)"
            )
        }
        return configuration
    }

    private static func clientTLS(_ mode: PostgresURL.SSLMode, verified: TLSConfiguration) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(unverified)
        case .require: return .require(unverified)
        case .verifyFull: return .require(verified)
        }
    }

    private static func connectionTLS(
        _ mode: PostgresURL.SSLMode,
        verified: TLSConfiguration
    ) throws(StoreError) -> PostgresConnection.Configuration.TLS {
        do {
            switch mode {
            case .disable: return .disable
            case .prefer: return .prefer(try NIOSSLContext(configuration: unverified))
            case .require: return .require(try NIOSSLContext(configuration: unverified))
            case .verifyFull: return .require(try NIOSSLContext(configuration: verified))
            }
        } catch {
            throw StoreError("cannot set up TLS for sslmode=\(mode.rawValue): \(error)")
        }
    }

    /// libpq's `prefer` and `require`: encrypted, certificate not checked.
    private static var unverified: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }
}

/// One `games` row as bound and decoded.
struct Row: Sendable {
    var id: String
    var rows: Int
    var cols: Int
    var winLength: Int
    var rule: String
    var moves: String
    var version: Int
    var opponent: String
    var computerSeat: Int
    var rematchID: String?
    var online: Bool
    var seatFirst: String?
    var seatSecond: String?
    var scoreFirst: Int
    var scoreSecond: Int
    var scoreDraws: Int
    var turnSeconds: Int?
    var turnDeadline: Int64?

    init(_ record: GameRecord) {
        id = record.id.rawValue
        rows = record.state.shape.rows
        cols = record.state.shape.cols
        winLength = record.state.shape.winLength
        rule = record.state.rule.rawValue
        moves = HistoryText.encode(record.state)
        version = record.version
        opponent = record.opponent.rawValue
        computerSeat = record.computerSeat.rawValue
        rematchID = record.rematchID?.rawValue
        online = record.isOnline
        seatFirst = record.seats?.first?.rawValue
        seatSecond = record.seats?.second?.rawValue
        scoreFirst = record.scoreBefore.firstWins
        scoreSecond = record.scoreBefore.secondWins
        scoreDraws = record.scoreBefore.draws
        turnSeconds = record.clock?.seconds
        turnDeadline = record.clock?.deadline
    }

    init(_ row: PostgresRow) throws {
        self.init(try row.decode(PostgresStatements.GameColumns.self))
    }

    init(_ columns: PostgresStatements.GameColumns) {
        (
            id, rows, cols, winLength, rule, moves, version, opponent, computerSeat, rematchID, online, seatFirst, seatSecond, scoreFirst,
            scoreSecond, scoreDraws, turnSeconds, turnDeadline
        ) = columns
    }

    var columns: PostgresStatements.GameColumns {
        (
            id, rows, cols, winLength, rule, moves, version, opponent, computerSeat, rematchID, online, seatFirst, seatSecond, scoreFirst,
            scoreSecond, scoreDraws, turnSeconds, turnDeadline
        )
    }

    func record() throws(StoreError) -> GameRecord {
        guard let gameID = GameID(id), let rule = Rule(rawValue: rule), let opponent = OpponentKind(rawValue: opponent),
            let seat = Seat(rawValue: computerSeat)
        else { throw StoreError("a stored game has unreadable columns") }
        guard let history = HistoryText.decode(moves) else { throw StoreError("stored game \(id) has an unreadable history") }
        do {
            let shape = try BoardShape(rows: rows, cols: cols, winLength: winLength)
            let state = try GameState(shape: shape, rule: rule, replaying: history.moves, forfeit: history.forfeit)
            let seats = online ? Seats(first: seatFirst.map { TokenHash(rawValue: $0) }, second: seatSecond.map { TokenHash(rawValue: $0) }) : nil
            return GameRecord(
                id: gameID,
                state: state,
                opponent: opponent,
                computerSeat: seat,
                rematchID: rematchID.flatMap { GameID($0) },
                seats: seats,
                scoreBefore: Score(firstWins: scoreFirst, secondWins: scoreSecond, draws: scoreDraws),
                clock: turnSeconds.map { TurnClock(seconds: $0, deadline: turnDeadline) }
            )
        } catch {
            throw StoreError("stored game \(id) does not replay: \(error)")
        }
    }
}
