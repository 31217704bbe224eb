#if PostgreSQL
import Config
import Foundation
import Logging
import PostgresStore
import Server

/// The PostgreSQL server that `make test-unit` starts (scripts/test-postgres.sh) and names in
/// `TICTACTOE_TEST_POSTGRES_URL`.
enum TestPostgres {
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String {
            "TICTACTOE_TEST_POSTGRES_URL is not set: run `make test-unit`, which starts PostgreSQL on 127.0.0.1, or set it to a database the tests may write to"
        }
    }

    /// The test database, or `database` on the same server (the script creates `tictactoe_sweep`
    /// for the test that deletes every game).
    static func url(database: String? = nil) throws -> PostgresURL {
        guard let text = ProcessInfo.processInfo.environment["TICTACTOE_TEST_POSTGRES_URL"], !text.isEmpty else { throw NotConfigured() }
        var url = try PostgresURL(text)
        if let database { url.database = database }
        return url
    }

    /// A running, migrated store on the test database.
    static func store(
        database: String? = nil,
        timeout: Duration = .seconds(5),
        maxGames: Int = 1000,
        idleTimeout: Duration = .seconds(3600)
    ) async throws -> PostgresGameStore {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let store = try PostgresGameStore(
            database: PostgresSettings(url: try url(database: database), source: "TICTACTOE_TEST_POSTGRES_URL"),
            timeout: timeout,
            maxGames: maxGames,
            idleTimeout: idleTimeout,
            logger: logger
        )
        Task { await store.run() }
        try await store.migrate()
        return store
    }
}
#endif
