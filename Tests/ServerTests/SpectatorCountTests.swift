import Foundation
import Game
import Server
import Testing

/// How many watch a game: streams opened without `?player=1`, counted in each process and added
/// up across the processes sharing PostgreSQL.
@Suite struct SpectatorCountTests {
    static func drain(_ subscription: GameEvents.Subscription) async -> [GameEvents.Event] {
        var seen: [GameEvents.Event] = []
        for await event in subscription.events { seen.append(event) }
        return seen
    }

    @Test func onlyStreamsOpenedBySpectatorsCountAndEachStreamHearsChanges() async throws {
        let events = GameEvents()
        let game = GameID.random()
        let player = try events.subscribe(to: game, client: "p", spectator: false)
        let first = try events.subscribe(to: game, client: "a", spectator: true)
        let second = try events.subscribe(to: game, client: "b", spectator: true)
        #expect(events.localSpectators == [game: 2])
        events.publishSpectators(events.localSpectators)
        // An unchanged count is not sent again.
        events.publishSpectators(events.localSpectators)
        events.cancel(second)
        #expect(events.localSpectators == [game: 1])
        events.publishSpectators(events.localSpectators)
        #expect(events.spectators(of: game) == 1)
        events.cancel(first)
        events.cancel(player)
        #expect(await Self.drain(player) == [.spectators(2), .spectators(1)])
        #expect(await Self.drain(first) == [.spectators(2), .spectators(1)])
        #expect(await Self.drain(second) == [.spectators(2)])
        #expect(events.localSpectators.isEmpty)
    }

    #if PostgreSQL
    @Test func processesSharingPostgreSQLAddUpTheirSpectators() async throws {
        let (a, b) = (try await TestPostgres.store(), try await TestPostgres.store())
        let watched = GameID.random()
        let onlyHere = GameID.random()
        #expect(try await a.tallySpectators(process: "a-\(watched.rawValue)", local: [watched: 2, onlyHere: 0]) == [watched: 2, onlyHere: 0])
        #expect(try await b.tallySpectators(process: "b-\(watched.rawValue)", local: [watched: 1]) == [watched: 3])
        #expect(try await a.tallySpectators(process: "a-\(watched.rawValue)", local: [watched: 2, onlyHere: 0]) == [watched: 3, onlyHere: 0])
        // A process whose spectators left withdraws its count.
        #expect(try await a.tallySpectators(process: "a-\(watched.rawValue)", local: [:]) == [:])
        #expect(try await b.tallySpectators(process: "b-\(watched.rawValue)", local: [watched: 1]) == [watched: 1])
        _ = try await b.tallySpectators(process: "b-\(watched.rawValue)", local: [:])
        await a.shutdown()
        await b.shutdown()
    }
    #endif
}
