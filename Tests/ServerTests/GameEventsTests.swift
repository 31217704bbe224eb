import Game
import Server
import Testing

@Suite struct GameEventsTests {
    func record(_ moves: [Int] = []) throws -> GameRecord {
        GameRecord(id: .random(), state: try GameState(shape: .classic, rule: .standard, replaying: moves), opponent: .human, computerSeat: .second)
    }

    @Test func deliversAGamesStatesOnlyToItsWatchers() async throws {
        let events = GameEvents()
        let game = try record()
        let other = try record()
        let watcher = try #require(events.subscribe(to: game.id))
        let bystander = try #require(events.subscribe(to: other.id))
        events.publish(game)
        events.cancel(watcher)
        events.cancel(bystander)
        var seen: [GameEvents.Event] = []
        for await event in watcher.events { seen.append(event) }
        #expect(seen == [.game(game)])
        var unrelated: [GameEvents.Event] = []
        for await event in bystander.events { unrelated.append(event) }
        #expect(unrelated.isEmpty)
        #expect(events.streamCount == 0)
    }

    @Test func refusesStreamsBeyondCapacityAndAfterClosing() throws {
        let events = GameEvents(capacity: 2)
        let id = GameID.random()
        let first = events.subscribe(to: id)
        #expect(first != nil)
        #expect(events.subscribe(to: id) != nil)
        #expect(events.subscribe(to: id) == nil)
        events.closeAll()
        #expect(events.streamCount == 0)
        #expect(events.subscribe(to: .random()) == nil)
    }

    @Test func heartbeatsReachEveryStream() async throws {
        let events = GameEvents()
        let a = try #require(events.subscribe(to: .random()))
        let b = try #require(events.subscribe(to: .random()))
        events.heartbeat()
        events.closeAll()
        for subscription in [a, b] {
            var seen: [GameEvents.Event] = []
            for await event in subscription.events { seen.append(event) }
            #expect(seen == [.heartbeat])
        }
    }

    @Test func revisionsOrderStatesForResuming() throws {
        let r = try #require(Revision("3.2.0"))
        #expect(r == Revision(version: 3, seatsTaken: 2, hasRematch: false))
        #expect(r.description == "3.2.0")
        #expect(Revision(version: 4, seatsTaken: 2, hasRematch: false).isNewer(than: r))
        #expect(Revision(version: 3, seatsTaken: 2, hasRematch: true).isNewer(than: r))
        #expect(!r.isNewer(than: r))
        #expect(!Revision(version: 2, seatsTaken: 2, hasRematch: false).isNewer(than: r))
        for bad in ["", "3", "3.2", "a.b.c", "3.5.0", "-1.0.0", "3.2.2"] { #expect(Revision(bad) == nil) }
    }
}
