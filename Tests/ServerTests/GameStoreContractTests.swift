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

    static let stores: [Factory] = [
        Factory(name: "memory") { MemoryGameStore(maxGames: 1000, idleTimeout: .seconds(3600)) },
        Factory(name: "sqlite") {
            let path = "/tmp/tictactoe-contract-\(GameID.random().rawValue).sqlite"
            return try await SQLiteGameStore.open(path: path, maxGames: 1000, idleTimeout: .seconds(3600), logger: Logger(label: "test"))
        },
    ]

    func record() -> GameRecord {
        GameRecord(id: .random(), state: GameState(shape: .classic), opponent: .human, computerSeat: .second)
    }

    @Test(arguments: stores)
    func storesAndReturnsAGame(factory: Factory) async throws {
        let store = try await factory.make()
        defer { Task { await store.shutdown() } }
        var game = record()
        try game.state.play(4)
        try await store.insert(game)
        #expect(try await store.game(game.id) == game)
        #expect(try await store.game(.random()) == nil)
        try await store.checkHealth()
    }

    @Test(arguments: stores)
    func updatesOnlyFromTheVersionItWasComputedFrom(factory: Factory) async throws {
        let store = try await factory.make()
        defer { Task { await store.shutdown() } }
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

    @Test(arguments: stores)
    func racingUpdatesStoreExactlyOne(factory: Factory) async throws {
        let store = try await factory.make()
        defer { Task { await store.shutdown() } }
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

    @Test(arguments: stores)
    func rematchLinksOneNewGameOnce(factory: Factory) async throws {
        let store = try await factory.make()
        defer { Task { await store.shutdown() } }
        let original = record()
        try await store.insert(original)
        let first = try #require(try await store.rematch(of: original.id) { _ in record() })
        let second = try #require(try await store.rematch(of: original.id) { _ in record() })
        #expect(first.id == second.id)
        #expect(try await store.game(original.id)?.rematchID == first.id)
        #expect(try await store.rematch(of: .random()) { _ in record() } == nil)
    }
}
