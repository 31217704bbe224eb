import PostgresNIO

/// The statements of a move's and a new game's path, prepared once per connection (PostgresNIO
/// prepares each on first use and reuses it), so that the server parses and plans them once.
///
/// Each changes or reads one game in one statement; writes notify `tictactoe_games` in the same
/// statement, so the notification goes out exactly when the change commits.
enum PostgresStatements {
    /// The columns every reading statement returns, in ``GameRow``'s order.
    static let columns =
        "id, rows, cols, win_length, rule, moves, version, opponent, computer_seat, rematch_id, online, seat_first, seat_second, score_first, score_second, score_draws, turn_seconds, turn_deadline_ms"

    typealias GameColumns = (
        String, Int, Int, Int, String, String, Int, String, Int, String?, Bool, String?, String?, Int, Int, Int, Int?, Int64?
    )

    /// A game younger than the idle timeout; refreshes its idle clock if that is over a minute old.
    struct ReadGame: PostgresPreparedStatement {
        static let name = "tictactoe_read_game_v3"
        static let sql = """
            WITH touched AS (
                UPDATE games SET touched_at = now()
                WHERE id = $1 AND touched_at < now() - interval '60 seconds' AND touched_at >= now() - make_interval(secs => $2)
                RETURNING \(columns)
            )
            SELECT \(columns) FROM touched
            UNION ALL
            SELECT \(columns) FROM games WHERE id = $1 AND touched_at >= now() - interval '60 seconds'
            """
        typealias Row = GameColumns
        var id: String
        var idleSeconds: Double

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 2)
            bindings.append(id)
            bindings.append(idleSeconds)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
    }

    /// Replaces a game's moves (never its seats or rematch link) if it is still at `expectedVersion`;
    /// returns its id when it did.
    ///
    /// Only an online game's change is announced: other processes' streams of it are what two
    /// players on two tasks see. Every `NOTIFY` serialises its commit on PostgreSQL's one
    /// notification queue, so one-screen and computer games, which a page never streams, skip it;
    /// a stream of such a game opened through the API follows the moves made on its own process.
    struct UpdateGame: PostgresPreparedStatement {
        static let name = "tictactoe_update_game_v4"
        static let sql = """
            WITH changed AS (
                UPDATE games SET moves = $2, version = $3, turn_deadline_ms = $5, touched_at = now()
                WHERE id = $1 AND version = $4 RETURNING id, online
            )
            SELECT changed.id FROM changed
            LEFT JOIN LATERAL (SELECT pg_notify('tictactoe_games', changed.id) WHERE changed.online) AS notified ON true
            """
        typealias Row = String
        var id: String
        var moves: String
        var version: Int
        var expectedVersion: Int
        var turnDeadline: Int64?

        func makeBindings() throws -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 5)
            bindings.append(id)
            bindings.append(moves)
            bindings.append(version)
            bindings.append(expectedVersion)
            bindings.append(turnDeadline)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
    }

    /// Stores a new game.
    struct InsertGame: PostgresPreparedStatement {
        static let name = "tictactoe_insert_game_v3"
        static let sql = """
            INSERT INTO games (\(PostgresStatements.columns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
            """
        typealias Row = Void
        var columns: GameColumns

        func makeBindings() throws -> PostgresBindings {
            let c = columns
            var bindings = PostgresBindings(capacity: 18)
            bindings.append(c.0)
            bindings.append(c.1)
            bindings.append(c.2)
            bindings.append(c.3)
            bindings.append(c.4)
            bindings.append(c.5)
            bindings.append(c.6)
            bindings.append(c.7)
            bindings.append(c.8)
            bindings.append(c.9)
            bindings.append(c.10)
            bindings.append(c.11)
            bindings.append(c.12)
            bindings.append(c.13)
            bindings.append(c.14)
            bindings.append(c.15)
            bindings.append(c.16)
            bindings.append(c.17)
            return bindings
        }

        func decodeRow(_ row: PostgresRow) throws -> Row {}
    }
}
