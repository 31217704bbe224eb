import Config
import Game
import Logging
import Server
import Testing

/// Two servers on one store, as during a rolling deploy or with several tasks on PostgreSQL.
@Suite struct SharedStoreTests {
    struct Server {
        let service: GameService
        init(_ yaml: String, store: any GameStore) throws {
            let settings = try ConfigLoader.parse(yaml, source: "server.yaml")
            service = GameService(settings: settings, store: store, computer: ComputerMoveQueue(threads: 1, capacity: 4))
        }
    }

    static var stores: [@Sendable () async throws -> any GameStore] {
        var stores: [@Sendable () async throws -> any GameStore] = [
            { MemoryGameStore(maxGames: 100, idleTimeout: .seconds(600)) },
            // SQLite and PostgreSQL moves start from the process's last copy of the game.
            {
                try await SQLiteGameStore.open(
                    path: "/tmp/tictactoe-shared-\(UInt64.random(in: 0...UInt64.max)).sqlite",
                    maxGames: 100,
                    idleTimeout: .seconds(600),
                    logger: Logger(label: "test")
                )
            },
        ]
        #if PostgreSQL
        stores.append { try await TestPostgres.store() }
        #endif
        return stores
    }

    @Test(arguments: 0..<stores.count)
    func rowAndColumnAreReadWithTheGamesOwnShape(store index: Int) async throws {
        let store = try await Self.stores[index]()
        let old = try Server("board: {rows: 3, cols: 3}", store: store)
        let new = try Server("board: {rows: 4, cols: 5, win_length: 4}", store: store)
        let classic = try await old.service.create(opponent: .human)
        // The new server, whose own board is 4×5, plays row 1, col 2 of the old 3×3 game: cell 5.
        let moved = try await new.service.move(in: classic.id.rawValue, cell: .rowColumn(row: 1, col: 2), expectedVersion: nil)
        #expect(moved.state.moves == [5])
        #expect(moved.state.shape == classic.state.shape)
        // A cell that exists on 4×5 but not on 3×3 is outside this game's board.
        await #expect(throws: APIError(.badRequest, "outside_board", "row 3, col 0 is outside the board; rows are 0 to 2, cols 0 to 2")) {
            try await new.service.move(in: classic.id.rawValue, cell: .rowColumn(row: 3, col: 0), expectedVersion: nil)
        }
        // And the other way round: the old server plays on a game the new one made.
        let wide = try await new.service.create(opponent: .human)
        let onWide = try await old.service.move(in: wide.id.rawValue, cell: .rowColumn(row: 3, col: 4), expectedVersion: nil)
        #expect(onWide.state.moves == [19])
        #expect(try await store.game(wide.id)?.state.shape == wide.state.shape)
        await store.shutdown()
    }

    @Test(arguments: 0..<stores.count)
    func aMoveAfterAnotherServersMoveIsPlayedOnTheStoredGame(store index: Int) async throws {
        let store = try await Self.stores[index]()
        let a = try Server("", store: store)
        let b = try Server("", store: store)
        let game = try await a.service.create(opponent: .human)
        _ = try await a.service.move(in: game.id.rawValue, cell: .index(0), expectedVersion: nil)
        // b moves; a's copy of the game is now one version behind.
        _ = try await b.service.move(in: game.id.rawValue, cell: .index(4), expectedVersion: 1)
        let third = try await a.service.move(in: game.id.rawValue, cell: .index(8), expectedVersion: 2)
        #expect(third.state.moves == [0, 4, 8])
        #expect(third.version == 3)
        #expect(try await store.game(game.id)?.state.moves == [0, 4, 8])
        // A cell b took is refused as taken, not as a stale copy.
        _ = try await b.service.move(in: game.id.rawValue, cell: .index(2), expectedVersion: 3)
        await #expect(throws: APIError(.conflict, "cell_taken", "cell 2 is already taken by O")) {
            try await a.service.move(in: game.id.rawValue, cell: .index(2), expectedVersion: nil)
        }
        // A client that really is behind still gets stale_version.
        await #expect(throws: APIError(.conflict, "stale_version", "the game is at version 4, not 2; reload it and try again")) {
            try await a.service.move(in: game.id.rawValue, cell: .index(6), expectedVersion: 2)
        }
        await store.shutdown()
    }
}
