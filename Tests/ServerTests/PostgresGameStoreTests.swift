#if PostgreSQL
import Game
import PostgresStore
import Server
import Testing

/// What only the PostgreSQL store does: its periodic sweep of idle and surplus games.
@Suite struct PostgresGameStoreTests {
    func record() -> GameRecord {
        GameRecord(id: .random(), state: GameState(shape: .classic), opponent: .human, computerSeat: .second)
    }

    @Test func sweepKeepsTheMostRecentGamesUpToTheCapThenDropsIdleOnes() async throws {
        let store = try await TestPostgres.store(database: "tictactoe_sweep", maxGames: 10, idleTimeout: .seconds(2))
        do {
            try await store.sweep()
            var ids: [GameID] = []
            for _ in 0..<15 {
                let game = record()
                try await store.insert(game)
                ids.append(game.id)
                try await Task.sleep(for: .milliseconds(5))
            }
            try await store.sweep()
            var kept: [GameID] = []
            for id in ids where try await store.game(id) != nil { kept.append(id) }
            #expect(kept == Array(ids.suffix(10)))
            try await Task.sleep(for: .milliseconds(2200))
            try await store.sweep()
            for id in ids { #expect(try await store.game(id) == nil) }
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }
}
#endif
