import Config
import Game
import Locking
import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import ServiceLifecycle

/// Games in one SQLite file, so that they survive restarts of a single server.
///
/// Every write is one statement: an update names the version it was computed from
/// (`UPDATE … WHERE version = ? RETURNING id`), so of two racing moves exactly one is stored.
/// Bounded like ``MemoryGameStore``: at most `maxGames`, the game idle longest evicted first, and
/// games idle longer than `idleTimeout` unreadable at once and deleted by a sweep every
/// ``sweepInterval``. Reads refresh a game's idle clock at most once a minute.
///
/// Durability: the file is in WAL mode with `synchronous=NORMAL`, so every answered write
/// survives the process being killed (`kill -9`, an out-of-memory kill): it is in the WAL, which
/// the next open replays. A power loss of the machine may lose the last writes, not corrupt the file.
public final class SQLiteGameStore: GameStore, RematchLinking {
    private let connection: SQLiteConnection
    private let maxGames: Int
    private let idleMilliseconds: Int64
    private let now: @Sendable () -> Int64
    /// Games in the file, as counted at open and by inserts since; the cap is enforced when it passes `maxGames`.
    private let gameCount: Mutex<Int>
    static let sweepInterval = Duration.seconds(30)

    /// Opens (or creates) the file and its schema; safe to run on an existing file.
    public static func open(
        path: String,
        maxGames: Int,
        idleTimeout: Duration,
        logger: Logger,
        now: @escaping @Sendable () -> Int64 = WallClock.milliseconds
    ) async throws(StoreError) -> SQLiteGameStore {
        do {
            let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            _ = try await connection.query("PRAGMA journal_mode=WAL", [])
            _ = try await connection.query("PRAGMA synchronous=NORMAL", [])
            _ = try await connection.query("PRAGMA busy_timeout=5000", [])
            try await migrate(connection)
            let count = try await connection.query("SELECT count(*) AS n FROM games", []).first?.column("n")?.integer ?? 0
            let seconds = idleTimeout.components.seconds
            return SQLiteGameStore(connection: connection, maxGames: maxGames, idleMilliseconds: seconds * 1000, count: count, now: now)
        } catch {
            throw StoreError("cannot open the SQLite file \(path): \(error)")
        }
    }

    /// Schema changes in order; `PRAGMA user_version` counts those applied. Version 1 is the
    /// table of 0.1.0, which created it without setting `user_version`, hence `IF NOT EXISTS`.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE IF NOT EXISTS games (
                id TEXT PRIMARY KEY,
                rows INTEGER NOT NULL, cols INTEGER NOT NULL, win_length INTEGER NOT NULL, rule TEXT NOT NULL,
                moves TEXT NOT NULL, version INTEGER NOT NULL,
                opponent TEXT NOT NULL, computer_seat INTEGER NOT NULL, rematch_id TEXT,
                touched_at INTEGER NOT NULL
            )
            """,
            "CREATE INDEX IF NOT EXISTS games_touched_at ON games (touched_at)",
        ],
        [
            "ALTER TABLE games ADD COLUMN online INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE games ADD COLUMN seat_first TEXT",
            "ALTER TABLE games ADD COLUMN seat_second TEXT",
        ],
        [
            "ALTER TABLE games ADD COLUMN score_first INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE games ADD COLUMN score_second INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE games ADD COLUMN score_draws INTEGER NOT NULL DEFAULT 0",
        ],
        [
            "ALTER TABLE games ADD COLUMN turn_seconds INTEGER",
            "ALTER TABLE games ADD COLUMN turn_deadline_ms INTEGER",
        ],
    ]

    /// Applies the migrations the file lacks, each in one transaction that other processes wait for.
    private static func migrate(_ connection: SQLiteConnection) async throws {
        _ = try await connection.query("BEGIN IMMEDIATE", [])
        do {
            let applied = try await connection.query("PRAGMA user_version", []).first?.column("user_version")?.integer ?? 0
            for statements in migrations.dropFirst(applied) {
                for statement in statements { _ = try await connection.query(statement, []) }
            }
            if applied < migrations.count {
                _ = try await connection.query("PRAGMA user_version = \(migrations.count)", [])
            }
            _ = try await connection.query("COMMIT", [])
        } catch {
            _ = try? await connection.query("ROLLBACK", [])
            throw error
        }
    }

    private init(connection: SQLiteConnection, maxGames: Int, idleMilliseconds: Int64, count: Int, now: @escaping @Sendable () -> Int64) {
        self.connection = connection
        self.maxGames = maxGames
        self.idleMilliseconds = idleMilliseconds
        self.gameCount = Mutex(count)
        self.now = now
    }

    /// Sweeps idle games every ``sweepInterval`` until graceful shutdown, then closes the file.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: Self.sweepInterval)
                    try? await self.sweep()
                }
            }
            group.addTask { try? await gracefulShutdown() }
            await group.next()
            group.cancelAll()
        }
        await shutdown()
    }

    public func shutdown() async {
        try? await connection.close()
    }

    /// Deletes games idle longer than the idle timeout, then the longest idle ones until at most
    /// `maxGames - room` remain, and recounts.
    public func sweep(room: Int = 0) async throws(StoreError) {
        try await run("DELETE FROM games WHERE touched_at < ?", [.integer(Int(now() - idleMilliseconds))])
        try await run(
            "DELETE FROM games WHERE id IN (SELECT id FROM games ORDER BY touched_at LIMIT max(0, (SELECT count(*) FROM games) - ?))",
            [.integer(maxGames - room)]
        )
        let count = try await run("SELECT count(*) AS n FROM games", []).first?.column("n")?.integer ?? 0
        gameCount.withLock { $0 = count }
    }

    public func insert(_ record: GameRecord) async throws(StoreError) {
        let time = now()
        if gameCount.withLock({ $0 >= maxGames }) { try await sweep(room: 1) }
        try await run(
            "INSERT INTO games (id, rows, cols, win_length, rule, moves, version, opponent, computer_seat, rematch_id, online, seat_first, seat_second, score_first, score_second, score_draws, turn_seconds, turn_deadline_ms, touched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values(record) + [.integer(Int(time))]
        )
        gameCount.withLock { $0 += 1 }
    }

    public func game(_ id: GameID) async throws(StoreError) -> GameRecord? {
        let time = now()
        let rows = try await run(
            "SELECT * FROM games WHERE id = ? AND touched_at >= ?",
            [.text(id.rawValue), .integer(Int(time - idleMilliseconds))]
        )
        guard let row = rows.first else { return nil }
        if let touched = row.column("touched_at")?.integer, Int64(touched) < time - Self.touchIntervalMilliseconds {
            try await run("UPDATE games SET touched_at = ? WHERE id = ?", [.integer(Int(time)), .text(id.rawValue)])
        }
        return try decode(row)
    }

    /// Reads refresh a game's idle clock at most this often, so that most reads write nothing.
    static let touchIntervalMilliseconds: Int64 = 60_000

    public func update(_ record: GameRecord, expectedVersion: Int) async throws(StoreError) -> UpdateResult {
        let rows = try await run(
            "UPDATE games SET moves = ?, version = ?, turn_deadline_ms = ?, touched_at = ? WHERE id = ? AND version = ? RETURNING id",
            [
                .text(HistoryText.encode(record.state)), .integer(record.version), Self.deadline(record.clock),
                .integer(Int(now())), .text(record.id.rawValue), .integer(expectedVersion),
            ]
        )
        if !rows.isEmpty { return .updated }
        guard let current = try await game(record.id) else { return .notFound }
        return .conflict(current: current)
    }

    public func rematch(of original: GameID, makeGame: @Sendable (GameRecord) -> GameRecord) async throws(StoreError) -> GameRecord? {
        try await rematchByClaimingLink(of: original, makeGame: makeGame)
    }

    package func claimRematchLink(of original: GameID, to new: GameID) async throws(StoreError) -> Bool {
        let claimed = try await run(
            "UPDATE games SET rematch_id = ? WHERE id = ? AND rematch_id IS NULL RETURNING id",
            [.text(new.rawValue), .text(original.rawValue)]
        )
        return !claimed.isEmpty
    }

    package func delete(_ id: GameID) async throws(StoreError) {
        try await run("DELETE FROM games WHERE id = ?", [.text(id.rawValue)])
        gameCount.withLock { $0 = max(0, $0 - 1) }
    }

    public func claimSeat(in id: GameID, token: TokenHash, at wallClock: Int64) async throws(StoreError) -> SeatClaim {
        let time = now()
        // Every right-hand side sees the row as it was, so one statement claims exactly one seat;
        // a claim that fills the last open seat starts the turn clock.
        let rows = try await run(
            """
            UPDATE games SET
                seat_first = coalesce(seat_first, ?1),
                seat_second = CASE WHEN seat_first IS NOT NULL THEN coalesce(seat_second, ?1) ELSE seat_second END,
                turn_deadline_ms = CASE WHEN turn_seconds IS NOT NULL AND (seat_first IS NULL) <> (seat_second IS NULL)
                    THEN ?5 + turn_seconds * 1000 ELSE turn_deadline_ms END,
                touched_at = ?2
            WHERE id = ?3 AND online = 1 AND (seat_first IS NULL OR seat_second IS NULL) AND touched_at >= ?4
            RETURNING *
            """,
            [.text(token.rawValue), .integer(Int(time)), .text(id.rawValue), .integer(Int(time - idleMilliseconds)), .integer(Int(wallClock))]
        )
        if let row = rows.first {
            let record = try decode(row)
            return .claimed(record.seats?.first == token ? .first : .second, record)
        }
        guard let current = try await game(id) else { return .notFound }
        return .noOpenSeat(current)
    }

    public func checkHealth() async throws(StoreError) {
        try await run("SELECT 1", [])
    }

    @discardableResult
    private func run(_ sql: String, _ binds: [SQLiteData]) async throws(StoreError) -> [SQLiteRow] {
        do {
            return try await connection.query(sql, binds)
        } catch {
            throw StoreError("SQLite: \(error)")
        }
    }

    private func values(_ record: GameRecord) -> [SQLiteData] {
        [
            .text(record.id.rawValue), .integer(record.state.shape.rows), .integer(record.state.shape.cols),
            .integer(record.state.shape.winLength), .text(record.state.rule.rawValue), .text(HistoryText.encode(record.state)),
            .integer(record.version), .text(record.opponent.rawValue), .integer(record.computerSeat.rawValue),
            record.rematchID.map { .text($0.rawValue) } ?? .null,
            .integer(record.isOnline ? 1 : 0),
            record.seats?.first.map { .text($0.rawValue) } ?? .null,
            record.seats?.second.map { .text($0.rawValue) } ?? .null,
            .integer(record.scoreBefore.firstWins), .integer(record.scoreBefore.secondWins), .integer(record.scoreBefore.draws),
            record.clock.map { .integer($0.seconds) } ?? .null, Self.deadline(record.clock),
        ]
    }

    private static func deadline(_ clock: TurnClock?) -> SQLiteData {
        clock?.deadline.map { .integer(Int($0)) } ?? .null
    }

    private func decode(_ row: SQLiteRow) throws(StoreError) -> GameRecord {
        guard let idText = row.column("id")?.string, let id = GameID(idText),
            let rows = row.column("rows")?.integer, let cols = row.column("cols")?.integer,
            let k = row.column("win_length")?.integer, let ruleName = row.column("rule")?.string, let rule = Rule(rawValue: ruleName),
            let movesText = row.column("moves")?.string,
            let opponentName = row.column("opponent")?.string, let opponent = OpponentKind(rawValue: opponentName),
            let seatNumber = row.column("computer_seat")?.integer, let seat = Seat(rawValue: seatNumber)
        else { throw StoreError("a stored game has unreadable columns") }
        guard let history = HistoryText.decode(movesText) else { throw StoreError("stored game \(idText) has an unreadable history") }
        do {
            let shape = try BoardShape(rows: rows, cols: cols, winLength: k)
            let state = try GameState(shape: shape, rule: rule, replaying: history.moves, forfeit: history.forfeit)
            let rematch = row.column("rematch_id")?.string.flatMap { GameID($0) }
            let seats: Seats? =
                row.column("online")?.integer == 1
                ? Seats(
                    first: row.column("seat_first")?.string.map { TokenHash(rawValue: $0) },
                    second: row.column("seat_second")?.string.map { TokenHash(rawValue: $0) }
                )
                : nil
            let score = Score(
                firstWins: row.column("score_first")?.integer ?? 0,
                secondWins: row.column("score_second")?.integer ?? 0,
                draws: row.column("score_draws")?.integer ?? 0
            )
            let clock = row.column("turn_seconds")?.integer.map { seconds in
                TurnClock(seconds: seconds, deadline: row.column("turn_deadline_ms")?.integer.map(Int64.init))
            }
            return GameRecord(
                id: id,
                state: state,
                opponent: opponent,
                computerSeat: seat,
                rematchID: rematch,
                seats: seats,
                scoreBefore: score,
                clock: clock
            )
        } catch {
            throw StoreError("stored game \(idText) does not replay: \(error)")
        }
    }
}
