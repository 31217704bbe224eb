import Config
import Foundation
import Game
import Logging
import Server
import Testing

/// What every ``GameStore`` must do, whatever keeps the games. Each backend adds its factory to
/// `stores`; the same tests then run against it.
@Suite struct GameStoreContractTests {
    struct Factory: Sendable, CustomTestStringConvertible {
        var name: String
        var make: @Sendable () async throws -> any GameStore
        var testDescription: String { name }
    }

    static let stores: [Factory] = {
        var stores = [
            Factory(name: "memory") { MemoryGameStore(maxGames: 1000, idleTimeout: .seconds(3600)) },
            Factory(name: "sqlite") {
                let path = "/tmp/tictactoe-contract-\(GameID.random().rawValue).sqlite"
                return try await SQLiteGameStore.open(path: path, maxGames: 1000, idleTimeout: .seconds(3600), logger: Logger(label: "test"))
            },
        ]
        #if PostgreSQL
        stores.append(Factory(name: "postgres") { try await TestPostgres.store() })
        #endif
        return stores
    }()

    /// Runs `body` with a store made by `factory`, then shuts the store down and waits for it,
    /// whether `body` returned or threw.
    func withStore(made factory: Factory, _ body: (any GameStore) async throws -> Void) async throws {
        let store = try await factory.make()
        do {
            try await body(store)
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    func record(online: Bool = false) -> GameRecord {
        GameRecord(id: .random(), state: GameState(shape: .classic), opponent: .human, computerSeat: .second, seats: online ? Seats() : nil)
    }

    @Test(arguments: stores)
    func givesEachSeatOnceAndKeepsOnlyHashes(factory: Factory) async throws {
        try await withStore(made: factory) { store in
            let game = record(online: true)
            try await store.insert(game)
            let tokens = (0..<4).map { _ in SeatToken.random() }
            let claims = try await withThrowingTaskGroup(of: SeatClaim.self) { group in
                for token in tokens { group.addTask { try await store.claimSeat(in: game.id, token: token.hash) } }
                return try await group.reduce(into: [SeatClaim]()) { $0.append($1) }
            }
            let claimed = claims.compactMap { claim -> Seat? in
                if case .claimed(let seat, _) = claim { return seat }
                return nil
            }
            #expect(claimed.sorted { $0.rawValue < $1.rawValue } == [.first, .second])
            #expect(claims.filter { if case .noOpenSeat = $0 { true } else { false } }.count == 2)
            let stored = try #require(try await store.game(game.id))
            let seats = try #require(stored.seats)
            #expect(Set([seats.first, seats.second].compactMap { $0 }).isSubset(of: Set(tokens.map(\.hash))))
            #expect(seats.first != seats.second)
            for token in tokens { #expect(seats.first?.rawValue != token.rawValue && seats.second?.rawValue != token.rawValue) }
            #expect(try await store.claimSeat(in: .random(), token: tokens[0].hash) == .notFound)
            let local = record()
            try await store.insert(local)
            #expect(try await store.claimSeat(in: local.id, token: tokens[0].hash) == .noOpenSeat(local))
        }
    }

    @Test(arguments: stores)
    func keepsAResignationAsPartOfTheGame(factory: Factory) async throws {
        try await withStore(made: factory) { store in
            var game = GameRecord(id: .random(), state: try GameState(shape: .classic, replaying: [4, 0]), opponent: .human, computerSeat: .second)
            try await store.insert(game)
            try game.state.resign(.first)
            guard case .updated = try await store.update(game, expectedVersion: 2) else {
                Issue.record("the resignation must be stored")
                return
            }
            let stored = try #require(try await store.game(game.id))
            #expect(stored == game)
            #expect(stored.state.resigned == .first && stored.version == 3 && stored.score.secondWins == 1)
        }
    }

    @Test(arguments: stores)
    func keepsSeatsThroughMovesAndRematches(factory: Factory) async throws {
        try await withStore(made: factory) { store in
            let (a, b) = (SeatToken.random().hash, SeatToken.random().hash)
            var game = GameRecord(
                id: .random(),
                state: GameState(shape: .classic),
                opponent: .human,
                computerSeat: .second,
                seats: Seats(first: a, second: b)
            )
            try await store.insert(game)
            try game.state.play(4)
            guard case .updated = try await store.update(game, expectedVersion: 0) else {
                Issue.record("the move must be stored")
                return
            }
            #expect(try await store.game(game.id) == game)
            let next = try #require(
                try await store.rematch(of: game.id) { old in
                    GameRecord(id: .random(), state: GameState(shape: .classic), opponent: .human, computerSeat: .second, seats: old.seats?.swapped)
                }
            )
            #expect(next.seats == Seats(first: b, second: a))
            #expect(try await store.game(next.id)?.seats == Seats(first: b, second: a))
        }
    }

    /// The review's race, made exact: the move was computed from the record read before the claim.
    @Test(arguments: stores)
    func aMoveNeverUndoesASeatClaimOrARematchLink(factory: Factory) async throws {
        try await withStore(made: factory) { store in
            let creator = SeatToken.random().hash
            let read = GameRecord(
                id: .random(),
                state: GameState(shape: .classic),
                opponent: .human,
                computerSeat: .second,
                seats: Seats(first: creator)
            )
            try await store.insert(read)
            let joiner = SeatToken.random().hash
            #expect(
                try await store.claimSeat(in: read.id, token: joiner)
                    == .claimed(
                        .second,
                        GameRecord(
                            id: read.id,
                            state: read.state,
                            opponent: .human,
                            computerSeat: .second,
                            seats: Seats(first: creator, second: joiner)
                        )
                    )
            )
            var moved = read
            try moved.state.play(4)
            guard case .updated = try await store.update(moved, expectedVersion: 0) else {
                Issue.record("the move must be stored")
                return
            }
            let stored = try #require(try await store.game(read.id))
            #expect(stored.seats == Seats(first: creator, second: joiner))
            #expect(stored.state.moves == [4])

            let rematch = try #require(try await store.rematch(of: read.id) { _ in record() })
            var late = stored
            try late.state.play(0)
            guard case .updated = try await store.update(late, expectedVersion: 1) else {
                Issue.record("the second move must be stored")
                return
            }
            #expect(try await store.game(read.id)?.rematchID == rematch.id)
        }
    }

    /// Many creators' moves racing many joiners' claims: every claim that answered is kept.
    @Test(arguments: stores)
    func racingMovesAndClaimsKeepEveryClaim(factory: Factory) async throws {
        try await withStore(made: factory) { store in
            for _ in 0..<40 {
                let read = GameRecord(
                    id: .random(),
                    state: GameState(shape: .classic),
                    opponent: .human,
                    computerSeat: .second,
                    seats: Seats(first: SeatToken.random().hash)
                )
                try await store.insert(read)
                let joiner = SeatToken.random().hash
                var moved = read
                try moved.state.play(0)
                async let claim = store.claimSeat(in: read.id, token: joiner)
                async let update = store.update(moved, expectedVersion: 0)
                let (claimed, _) = try await (claim, update)
                guard case .claimed(.second, _) = claimed else {
                    Issue.record("the open seat must be claimed")
                    return
                }
                #expect(try await store.game(read.id)?.seats?.second == joiner)
            }
        }
    }

    @Test(arguments: stores)
    func storesAndReturnsAGame(factory: Factory) async throws {
        try await withStore(made: factory) { store in
            var game = record()
            try game.state.play(4)
            try await store.insert(game)
            #expect(try await store.game(game.id) == game)
            #expect(try await store.game(.random()) == nil)
            try await store.checkHealth()
        }
    }

    @Test(arguments: stores)
    func updatesOnlyFromTheVersionItWasComputedFrom(factory: Factory) async throws {
        try await withStore(made: factory) { store in
            let original = record()
            try await store.insert(original)
            var first = original
            try first.state.play(0)
            var second = original
            try second.state.play(8)
            guard case .updated = try await store.update(first, expectedVersion: 0) else {
                Issue.record("the first update must be stored")
                return
            }
            guard case .conflict(let current) = try await store.update(second, expectedVersion: 0) else {
                Issue.record("the second update from version 0 must conflict")
                return
            }
            #expect(current.state.moves == [0])
            #expect(try await store.game(original.id)?.state.moves == [0])
            guard case .notFound = try await store.update(record(), expectedVersion: 0) else {
                Issue.record("an unknown game must be reported")
                return
            }
        }
    }

    @Test(arguments: stores)
    func racingUpdatesStoreExactlyOne(factory: Factory) async throws {
        try await withStore(made: factory) { store in
            let original = record()
            try await store.insert(original)
            let accepted = try await withThrowingTaskGroup(of: Int?.self) { group in
                for cell in 0..<9 {
                    group.addTask {
                        var attempt = original
                        try attempt.state.play(cell)
                        if case .updated = try await store.update(attempt, expectedVersion: 0) { return cell }
                        return nil
                    }
                }
                return try await group.reduce(into: [Int]()) { if let cell = $1 { $0.append(cell) } }
            }
            #expect(accepted.count == 1)
            #expect(try await store.game(original.id)?.state.moves == accepted)
        }
    }

    @Test(arguments: stores)
    func rematchLinksOneNewGameOnce(factory: Factory) async throws {
        try await withStore(made: factory) { store in
            let original = record()
            try await store.insert(original)
            let first = try #require(try await store.rematch(of: original.id) { _ in record() })
            let second = try #require(try await store.rematch(of: original.id) { _ in record() })
            #expect(first.id == second.id)
            #expect(try await store.game(original.id)?.rematchID == first.id)
            #expect(try await store.rematch(of: .random()) { _ in record() } == nil)
        }
    }

    @Test(arguments: stores)
    func keepsTheRunningScoreOfARematchChain(factory: Factory) async throws {
        try await withStore(made: factory) { store in
            var won = record()
            for cell in [0, 3, 1, 4, 2] { try won.state.play(cell) }
            won.scoreBefore = Score(firstWins: 2, secondWins: 1, draws: 4)
            try await store.insert(won)
            let next = try #require(
                try await store.rematch(of: won.id) { old in
                    GameRecord(id: .random(), state: GameState(shape: .classic), opponent: .human, computerSeat: .second, scoreBefore: old.score)
                }
            )
            #expect(next.scoreBefore == Score(firstWins: 3, secondWins: 1, draws: 4))
            #expect(try await store.game(next.id)?.scoreBefore == Score(firstWins: 3, secondWins: 1, draws: 4))
            #expect(try await store.game(won.id)?.score == Score(firstWins: 3, secondWins: 1, draws: 4))
        }
    }
}
