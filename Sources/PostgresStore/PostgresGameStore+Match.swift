import Game
import PostgresNIO
public import Server

/// The quick-match queue in the `match_queue` table, shared by every process on the database.
///
/// Joining runs in one transaction under an advisory lock, so joins from all processes are
/// serialised: of two players joining at once on two tasks, the second always sees the first, and
/// a waiting player is paired exactly once. The partner row is locked `FOR UPDATE SKIP LOCKED`, so
/// a player leaving at that moment is passed over rather than waited for; the pair's game is
/// inserted in the same transaction, so a ticket never names a game that does not exist.
extension PostgresGameStore: MatchQueue {
    /// An arbitrary constant that names this application's queue lock.
    static let matchLock = 7_346_051_777

    public var pollInterval: Duration { .milliseconds(250) }

    public func join(
        _ entry: MatchEntry,
        limits: MatchLimits,
        makeGame: @escaping @Sendable (TokenHash, TokenHash) -> GameRecord
    ) async throws(StoreError) -> MatchJoin {
        try await ready()
        return try await run("match") { client, logger, _, _ in
            try await client.withTransaction(logger: logger) { connection in
                try await Self.join(entry, limits: limits, makeGame: makeGame, on: connection, logger: logger)
            }
        }
    }

    private static func join(
        _ entry: MatchEntry,
        limits: MatchLimits,
        makeGame: @Sendable (TokenHash, TokenHash) -> GameRecord,
        on connection: PostgresConnection,
        logger: Logger
    ) async throws -> MatchJoin {
        let me = entry.ticket.rawValue
        try await connection.query("SELECT pg_advisory_xact_lock(\(matchLock))", logger: logger)
        try await connection.query(
            """
            DELETE FROM match_queue WHERE CASE WHEN game_id IS NULL
                THEN seen_at < now() - make_interval(secs => \(limits.staleSeconds)) OR joined_at < now() - make_interval(secs => \(limits.waitSeconds))
                ELSE seen_at < now() - make_interval(secs => \(limits.keepSeconds)) END
            """,
            logger: logger
        )
        let known = try await connection.query("SELECT game_id, seat FROM match_queue WHERE ticket = \(me)", logger: logger)
        for try await (gameID, seat) in known.decode((String?, Int?).self) {
            if let gameID, let id = GameID(gameID), let seat = seat.flatMap(Seat.init(rawValue:)) { return .matched(id, seat, nil) }
            return .waiting
        }
        var partner: String?
        let waiting = try await connection.query(
            """
            SELECT ticket FROM match_queue WHERE queue = \(entry.queue) AND game_id IS NULL
            ORDER BY joined_at, ticket LIMIT 1 FOR UPDATE SKIP LOCKED
            """,
            logger: logger
        )
        for try await ticket in waiting.decode(String.self) { partner = ticket }
        if let partner {
            let game = makeGame(TokenHash(rawValue: partner), entry.ticket)
            let insert = PostgresStatements.InsertGame(columns: Row(game).columns)
            try await connection.query(PostgresQuery(unsafeSQL: PostgresStatements.InsertGame.sql, binds: try insert.makeBindings()), logger: logger)
            let mine = game.seats?.seat(of: entry.ticket) ?? .second
            let id = game.id.rawValue
            try await connection.query(
                "UPDATE match_queue SET game_id = \(id), seat = \(mine.opponent.rawValue), seen_at = now() WHERE ticket = \(partner)",
                logger: logger
            )
            try await connection.query(
                "INSERT INTO match_queue (ticket, queue, client, game_id, seat) VALUES (\(me), \(entry.queue), \(entry.client), \(id), \(mine.rawValue))",
                logger: logger
            )
            return .matched(game.id, mine, game)
        }
        let counts = try await connection.query(
            "SELECT count(*) FILTER (WHERE client = \(entry.client)), count(*) FROM match_queue WHERE game_id IS NULL",
            logger: logger
        )
        for try await (byClient, total) in counts.decode((Int, Int).self) {
            if byClient >= limits.perClient { return .refused(.clientFull) }
            if total >= limits.max { return .refused(.queueFull) }
        }
        try await connection.query(
            "INSERT INTO match_queue (ticket, queue, client) VALUES (\(me), \(entry.queue), \(entry.client))",
            logger: logger
        )
        return .waiting
    }

    /// A waiting ticket gone stale, or waiting the longest allowed, leaves the queue as it asks.
    public func status(of ticket: TokenHash, limits: MatchLimits) async throws(StoreError) -> MatchStatus {
        try await ready()
        let key = ticket.rawValue
        return try await run("match") { client, logger, _, _ in
            let rows = try await client.query(
                """
                WITH gone AS (
                    DELETE FROM match_queue WHERE ticket = \(key) AND game_id IS NULL
                    AND (seen_at < now() - make_interval(secs => \(limits.staleSeconds)) OR joined_at < now() - make_interval(secs => \(limits.waitSeconds)))
                )
                UPDATE match_queue SET seen_at = now()
                WHERE ticket = \(key) AND (game_id IS NOT NULL OR (seen_at >= now() - make_interval(secs => \(limits.staleSeconds))
                    AND joined_at >= now() - make_interval(secs => \(limits.waitSeconds))))
                RETURNING game_id, seat
                """,
                logger: logger
            )
            return try await Self.status(rows)
        }
    }

    public func leave(_ ticket: TokenHash) async throws(StoreError) -> MatchStatus {
        try await ready()
        let key = ticket.rawValue
        return try await run("match") { client, logger, _, _ in
            let left = try await client.query(
                "DELETE FROM match_queue WHERE ticket = \(key) AND game_id IS NULL RETURNING NULL::text, NULL::integer",
                logger: logger
            )
            for try await _ in left { return .notQueued }
            return try await Self.status(client.query("SELECT game_id, seat FROM match_queue WHERE ticket = \(key)", logger: logger))
        }
    }

    private static func status(_ rows: PostgresRowSequence) async throws -> MatchStatus {
        for try await (gameID, seat) in rows.decode((String?, Int?).self) {
            if let gameID, let id = GameID(gameID), let seat = seat.flatMap(Seat.init(rawValue:)) { return .matched(id, seat) }
            return .waiting
        }
        return .notQueued
    }
}

/// Spectators in the `game_spectators` table: one row per game and process, written by each
/// process every few seconds while it streams the game.
extension PostgresGameStore: SpectatorTally {
    public func tallySpectators(process: String, local: [GameID: Int]) async throws(StoreError) -> [GameID: Int] {
        try await ready()
        let watched = local.filter { $0.value > 0 }.map { ($0.key.rawValue, $0.value) }
        let ids = watched.map(\.0)
        let counts = watched.map(\.1)
        let all = local.keys.map(\.rawValue)
        let others = try await run("spectators") { client, logger, _, _ in
            try await client.query(
                """
                INSERT INTO game_spectators (game_id, process, spectators, seen_at)
                SELECT game_id, \(process), spectators, now() FROM unnest(\(ids)::text[], \(counts)::int8[]) AS mine(game_id, spectators)
                ON CONFLICT (game_id, process) DO UPDATE SET spectators = excluded.spectators, seen_at = now()
                """,
                logger: logger
            )
            try await client.query("DELETE FROM game_spectators WHERE process = \(process) AND NOT (game_id = ANY(\(ids)::text[]))", logger: logger)
            var others: [String: Int] = [:]
            let rows = try await client.query(
                """
                SELECT game_id, sum(spectators)::int8 FROM game_spectators
                WHERE process <> \(process) AND game_id = ANY(\(all)::text[]) AND seen_at >= now() - interval '30 seconds'
                GROUP BY game_id
                """,
                logger: logger
            )
            for try await (id, count) in rows.decode((String, Int).self) { others[id] = count }
            return others
        }
        return Dictionary(uniqueKeysWithValues: local.map { ($0.key, $0.value + (others[$0.key.rawValue] ?? 0)) })
    }
}
