import Config
import Foundation
import Game
import Logging
import Server
import Testing

/// The turn clock of online games, on every backend: it starts when both seats are taken, each
/// move restarts it, and at its deadline the player to move has lost, whichever process reads
/// the game first, before or after a restart.
@Suite struct TurnClockTests {
    /// A wall clock the test moves by hand.
    final class HandClock: @unchecked Sendable {
        private let lock = NSLock()
        private var milliseconds: Int64 = 1_800_000_000_000
        var now: Int64 { lock.withLock { milliseconds } }
        func advance(_ by: Int64) { lock.withLock { milliseconds += by } }
    }

    struct Factory: Sendable, CustomTestStringConvertible {
        var name: String
        /// Opens the same store again each time it is called, as a restarted process would.
        var open: @Sendable (_ path: String) async throws -> any GameStore
        var survivesRestart: Bool
        var testDescription: String { name }
    }

    static let stores: [Factory] = {
        var stores = [
            Factory(name: "memory", open: { _ in MemoryGameStore(maxGames: 100, idleTimeout: .seconds(600)) }, survivesRestart: false),
            Factory(
                name: "sqlite",
                open: { path in try await SQLiteGameStore.open(path: path, maxGames: 100, idleTimeout: .seconds(600), logger: Logger(label: "test"))
                },
                survivesRestart: true
            ),
        ]
        #if PostgreSQL
        stores.append(Factory(name: "postgres", open: { _ in try await TestPostgres.store() }, survivesRestart: true))
        #endif
        return stores
    }()

    static func service(_ store: any GameStore, clock: HandClock, _ yaml: String = "online: {turn_s: 5}") throws -> GameService {
        var service = GameService(
            settings: try ConfigLoader.parse(yaml, source: "server.yaml"),
            store: store,
            computer: ComputerMoveQueue(threads: 1, capacity: 4)
        )
        service.now = { clock.now }
        return service
    }

    /// A link game with both seats taken at `clock.now`: its id and the two players' tokens.
    static func startedGame(_ service: GameService) async throws -> (String, SeatToken, SeatToken) {
        let (created, x) = try await service.createOnline()
        #expect(created.clock == TurnClock(seconds: 5, deadline: nil))
        let claim = try await service.claimSeat(in: created.id.rawValue, bearer: nil)
        return (created.id.rawValue, x, try #require(claim.token))
    }

    @Test(arguments: stores)
    func theClockStartsWithTheSecondSeatAndEachMoveRestartsIt(factory: Factory) async throws {
        let clock = HandClock()
        let store = try await factory.open("/tmp/tictactoe-clock-\(GameID.random().rawValue).sqlite")
        let service = try Self.service(store, clock: clock)
        let start = clock.now
        let (id, x, _) = try await Self.startedGame(service)
        #expect(try await service.game(id).clock == TurnClock(seconds: 5, deadline: start + 5000))
        clock.advance(3000)
        let moved = try await service.move(in: id, cell: .index(4), expectedVersion: 0, bearer: .token(x))
        #expect(moved.clock == TurnClock(seconds: 5, deadline: start + 8000))
        #expect(try await store.game(moved.id)?.clock == TurnClock(seconds: 5, deadline: start + 8000))
        // One millisecond before the deadline the game goes on.
        clock.advance(4999)
        #expect(try await service.game(id).state.isOver == false)
        await store.shutdown()
    }

    @Test(arguments: stores)
    func atTheDeadlineThePlayerToMoveHasLostExactlyOnce(factory: Factory) async throws {
        let clock = HandClock()
        let store = try await factory.open("/tmp/tictactoe-clock-\(GameID.random().rawValue).sqlite")
        let (a, b) = (try Self.service(store, clock: clock), try Self.service(store, clock: clock))
        let (id, x, o) = try await Self.startedGame(a)
        _ = try await a.move(in: id, cell: .index(4), expectedVersion: 0, bearer: .token(x))
        clock.advance(5000)
        // Both processes notice at once; one ending is stored, and both answer it.
        async let fromA = a.game(id)
        async let fromB = b.game(id)
        let (seenByA, seenByB) = try await (fromA, fromB)
        #expect(seenByA == seenByB)
        #expect(seenByA.state.timedOut == .second)
        #expect(seenByA.state.outcome == .won(winner: .first, line: []))
        #expect(seenByA.version == 2)
        #expect(seenByA.clock == TurnClock(seconds: 5, deadline: nil))
        #expect(seenByA.score.firstWins == 1)
        // The late player's move is refused with why.
        await #expect(throws: APIError(.conflict, "game_over", "the game is over: O ran out of time; start a new game or a rematch")) {
            try await b.move(in: id, cell: .index(0), expectedVersion: nil, bearer: .token(o))
        }
        await store.shutdown()
    }

    @Test(arguments: stores.filter(\.survivesRestart))
    func aRestartKeepsTheDeadlineAndAnotherProcessEndsTheGame(factory: Factory) async throws {
        let clock = HandClock()
        let path = "/tmp/tictactoe-clock-\(GameID.random().rawValue).sqlite"
        let first = try await factory.open(path)
        let (id, _, _) = try await Self.startedGame(try Self.service(first, clock: clock))
        let deadline = clock.now + 5000
        await first.shutdown()
        // The process that started the clock is gone; a new one opens the same games.
        let restarted = try await factory.open(path)
        let other = try Self.service(restarted, clock: clock)
        #expect(try await other.game(id).clock?.deadline == deadline)
        clock.advance(5000)
        let ended = try await other.game(id)
        #expect(ended.state.timedOut == .first)
        #expect(ended.state.outcome == .won(winner: .second, line: []))
        await restarted.shutdown()
    }

    @Test func aLinkGameHasNoClockUnlessTheConfigTurnsItOn() async throws {
        let clock = HandClock()
        let store = MemoryGameStore(maxGames: 100, idleTimeout: .seconds(600))
        let service = try Self.service(store, clock: clock, "")
        let (created, _) = try await service.createOnline()
        #expect(created.clock == nil)
        _ = try await service.claimSeat(in: created.id.rawValue, bearer: nil)
        clock.advance(86_400_000)
        #expect(try await service.game(created.id.rawValue).state.isOver == false)
        await store.shutdown()
    }

    @Test func theGameSaysHowLongTheTurnHasLeft() async throws {
        try await withApp("online: {turn_s: 30}") { client in
            let created = try await client.newGame(#"{"opponent": "online"}"#)
            #expect(created.clock?.seconds == 30)
            #expect(created.clock?.endsAt == nil && created.clock?.msLeft == nil)
            let joined = try await client.post("/api/games/\(created.id)/seats").game()
            let running = try #require(joined.clock)
            #expect(running.seconds == 30)
            #expect((29_000...30_000).contains(try #require(running.msLeft)))
            #expect(running.endsAt?.hasSuffix("Z") == true)
            #expect(try await client.newGame().clock == nil)
        }
    }
}
