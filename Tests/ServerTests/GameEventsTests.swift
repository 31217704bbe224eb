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
        let watcher = try events.subscribe(to: game.id)
        let bystander = try events.subscribe(to: other.id)
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
        let events = GameEvents(capacity: 2, perClient: 5)
        let id = GameID.random()
        _ = try events.subscribe(to: id, client: "a")
        _ = try events.subscribe(to: id, client: "b")
        #expect(throws: GameEvents.Refusal.processFull) { try events.subscribe(to: id, client: "c") }
        events.closeAll()
        #expect(events.streamCount == 0)
        #expect(throws: GameEvents.Refusal.closed) { try events.subscribe(to: .random(), client: "a") }
    }

    @Test func capsStreamsPerClientAndFreesTheSlotWhenOneEnds() throws {
        let events = GameEvents(capacity: 100, perClient: 2)
        let first = try events.subscribe(to: .random(), client: "198.51.100.7")
        _ = try events.subscribe(to: .random(), client: "198.51.100.7")
        #expect(throws: GameEvents.Refusal.clientFull) { try events.subscribe(to: .random(), client: "198.51.100.7") }
        _ = try events.subscribe(to: .random(), client: "198.51.100.8")
        #expect(events.streamCount(of: "198.51.100.7") == 2)
        events.cancel(first)
        #expect(events.streamCount(of: "198.51.100.7") == 1)
        _ = try events.subscribe(to: .random(), client: "198.51.100.7")
        #expect(events.streamCount == 3)
    }

    @Test func heartbeatsReachEveryStream() async throws {
        let events = GameEvents()
        let a = try events.subscribe(to: .random())
        let b = try events.subscribe(to: .random())
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
