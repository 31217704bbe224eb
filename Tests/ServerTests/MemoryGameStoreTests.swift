import Game
import Locking
import Server
import Testing

@Suite struct MemoryGameStoreTests {
    final class FakeClock: Sendable {
        let start = ContinuousClock.now
        let offset = Mutex(Duration.zero)
        func advance(_ d: Duration) { offset.withLock { $0 += d } }
        var now: ContinuousClock.Instant { start + offset.withLock { $0 } }
    }

    func record() -> GameRecord {
        GameRecord(id: .random(), state: GameState(shape: .classic), opponent: .human, computerSeat: .second)
    }

    @Test func evictsTheGameIdleLongestWhenFull() async throws {
        let clock = FakeClock()
        let store = MemoryGameStore(maxGames: 3, idleTimeout: .seconds(3600), now: { clock.now })
        let games = (0..<3).map { _ in record() }
        for game in games {
            await store.insert(game)
            clock.advance(.seconds(1))
        }
        _ = await store.game(games[0].id)  // the first game is now the most recently used
        await store.insert(record())
        #expect(await store.count == 3)
        #expect(await store.game(games[0].id) != nil)
        #expect(await store.game(games[1].id) == nil)
        #expect(await store.game(games[2].id) != nil)
    }

    @Test func forgetsIdleGames() async throws {
        let clock = FakeClock()
        let store = MemoryGameStore(maxGames: 100, idleTimeout: .seconds(60), now: { clock.now })
        let old = record()
        await store.insert(old)
        clock.advance(.seconds(61))
        #expect(await store.game(old.id) == nil)
        await store.insert(record())
        #expect(await store.count == 1)
    }

    @Test func staysWithinTheCapUnderChurn() async throws {
        let store = MemoryGameStore(maxGames: 100, idleTimeout: .seconds(3600))
        var ids: [GameID] = []
        for _ in 0..<5_000 {
            let game = record()
            ids.append(game.id)
            await store.insert(game)
            if let recent = ids.suffix(50).randomElement() { _ = await store.game(recent) }
        }
        #expect(await store.count == 100)
    }

    @Test func gameIDsAreRandomAndURLSafe() {
        let ids = Set((0..<1000).map { _ in GameID.random().rawValue })
        #expect(ids.count == 1000)
        for id in ids {
            #expect(id.count == 16)
            #expect(GameID(id) != nil)
        }
        #expect(GameID("not/an/id/at/all!") == nil)
    }
}
