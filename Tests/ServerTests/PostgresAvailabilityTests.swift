#if PostgreSQL
import Config
import Foundation
import HummingbirdTesting
import Logging
import PostgresStore
import Server
import Testing

/// A PostgreSQL server that does not answer: the server still starts, says why it is not ready,
/// and answers game requests with 503 in bounded time.
@Suite struct PostgresAvailabilityTests {
    @Test func unreachableDatabaseMeansNotReadyAndA503() async throws {
        // Port 9 (discard) on loopback: nothing listens, so connections are refused.
        let url = try PostgresURL("postgres://tictactoe:never-printed@127.0.0.1:9/tictactoe?sslmode=disable")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let store = try PostgresGameStore(
            database: PostgresSettings(url: url, source: "test"),
            timeout: .milliseconds(400),
            maxGames: 100,
            idleTimeout: .seconds(60),
            logger: logger
        )
        // The application runs the store as one of its services, as `tictactoe serve` does.
        try await withApp(store: store) { client in
            let ready = try await client.get("/readyz")
            #expect(ready.status == .serviceUnavailable)
            let reason = try ready.error().error
            #expect(reason.code == "unavailable")
            #expect(reason.message == "game storage is not available; try again in a moment")
            #expect(reason.requestId?.isEmpty == false)
            let create = try await client.post("/api/games")
            #expect(create.status == .serviceUnavailable)
            #expect(create.headers[.retryAfter] == "1")
            let refused = try create.error().error
            #expect(refused.code == "unavailable")
            #expect(refused.message == "game storage is not available; try again in a moment")
            #expect(refused.requestId != nil && refused.requestId != reason.requestId)
            #expect(try await client.get("/healthz").status == .ok)
        }
    }
}
#endif
