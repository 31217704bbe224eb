import Game
import Locking
import Logging
import Testing

@testable import Server

/// Other processes' changes are followed only while someone here watches a game.
@Suite struct GameEventsServiceTests {
    /// A memory store that is also a change feed, recording when it is followed.
    final class FollowedStore: GameStore, GameChangeFeed {
        let games = MemoryGameStore(maxGames: 100, idleTimeout: .seconds(3600))
        let following = Mutex(false)
        let starts = Mutex(0)

        func insert(_ record: GameRecord) async throws(StoreError) { try await games.insert(record) }
        func game(_ id: GameID) async throws(StoreError) -> GameRecord? { try await games.game(id) }
        func update(_ record: GameRecord, expectedVersion: Int) async throws(StoreError) -> UpdateResult {
            try await games.update(record, expectedVersion: expectedVersion)
        }
        func rematch(of original: GameID, makeGame: @Sendable (GameRecord) -> GameRecord) async throws(StoreError) -> GameRecord? {
            try await games.rematch(of: original, makeGame: makeGame)
        }
        func claimSeat(in id: GameID, token: TokenHash, at now: Int64) async throws(StoreError) -> SeatClaim {
            games.claimSeat(in: id, token: token, at: now)
        }
        func checkHealth() async throws(StoreError) {}

        func follow(_ onChange: @escaping @Sendable (GameID?) async -> Void) async {
            following.withLock { $0 = true }
            starts.withLock { $0 += 1 }
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
            following.withLock { $0 = false }
        }
    }

    func eventually(_ condition: () -> Bool, within limit: Duration = .seconds(5)) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }

    @Test func followsOnlyWhileAStreamIsOpenAndForTheLingerAfter() async throws {
        let store = FollowedStore()
        let events = GameEvents()
        let service = GameEventsService(
            events: events,
            store: store,
            heartbeat: .seconds(60),
            logger: Logger(label: "test"),
            linger: .milliseconds(500)
        )
        let running = Task { await service.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(600))
        #expect(store.following.withLock { $0 } == false)

        let subscription = try events.subscribe(to: try #require(GameID("abcdefghijklmnop")))
        #expect(await eventually { store.following.withLock { $0 } })
        events.cancel(subscription)
        let closed = ContinuousClock.now
        #expect(await eventually { !store.following.withLock { $0 } })
        #expect(ContinuousClock.now - closed >= .milliseconds(500))
        #expect(store.starts.withLock { $0 } == 1)
    }
}
