import Config
import Foundation
import Game
import Logging
import Server
import Testing

#if PostgreSQL
import PostgresStore
#endif

/// What every ``MatchQueue`` guarantees: the one in a process's memory and the one in PostgreSQL.
/// Serialized, since the PostgreSQL queue's total is counted over the whole table.
@Suite(.serialized) struct MatchQueueTests {
    struct Factory: Sendable, CustomTestStringConvertible {
        var name: String
        /// A store and the queue that goes with it, as ``GameService`` picks it.
        var make: @Sendable () async throws -> (any GameStore, any MatchQueue)
        var testDescription: String { name }
    }

    static let queues: [Factory] = {
        var queues = [
            Factory(name: "local") {
                let store = MemoryGameStore(maxGames: 1000, idleTimeout: .seconds(3600))
                return (store, LocalMatchQueue(store: store))
            }
        ]
        #if PostgreSQL
        queues.append(
            Factory(name: "postgres") {
                let store = try await TestPostgres.store()
                return (store, store)
            }
        )
        #endif
        return queues
    }()

    static let limits = MatchLimits(perClient: 2, max: 1000, waitSeconds: 120)

    /// A queue of its own for each test, so that tests never pair each other's players.
    let queue = "test-\(GameID.random().rawValue)"

    func entry(_ ticket: SeatToken, client: String = "client-a", queue: String? = nil) -> MatchEntry {
        // Client names of this test alone, so that no other test's players count against it.
        MatchEntry(ticket: ticket.hash, queue: queue ?? self.queue, client: "\(self.queue)-\(client)")
    }

    static func game(_ waiting: TokenHash, _ joining: TokenHash) -> GameRecord {
        GameRecord(
            id: .random(),
            state: GameState(shape: .classic),
            opponent: .human,
            computerSeat: .second,
            seats: Seats(first: waiting, second: joining)
        )
    }

    func withQueue(_ factory: Factory, _ body: (any GameStore, any MatchQueue) async throws -> Void) async throws {
        let (store, queue) = try await factory.make()
        do {
            try await body(store, queue)
        } catch {
            await store.shutdown()
            throw error
        }
        await store.shutdown()
    }

    @Test(arguments: queues)
    func theFirstTwoWaitingArePairedIntoOneStoredGame(factory: Factory) async throws {
        try await withQueue(factory) { store, queue in
            let (a, b) = (SeatToken.random(), SeatToken.random())
            #expect(try await queue.join(entry(a), limits: Self.limits, makeGame: Self.game) == .waiting)
            #expect(try await queue.status(of: a.hash, limits: Self.limits) == .waiting)
            // Joining again with the same ticket answers where it stands, and adds nothing.
            #expect(try await queue.join(entry(a), limits: Self.limits, makeGame: Self.game) == .waiting)
            let joined = try await queue.join(entry(b, client: "client-b"), limits: Self.limits, makeGame: Self.game)
            guard case .matched(let id, let seat, let record) = joined else {
                Issue.record("the second player was not paired: \(joined)")
                return
            }
            #expect(seat == .second)
            #expect(record?.id == id)
            #expect(try await queue.status(of: a.hash, limits: Self.limits) == .matched(id, .first))
            #expect(try await queue.status(of: b.hash, limits: Self.limits) == .matched(id, .second))
            let stored = try #require(try await store.game(id))
            #expect(stored.seats == Seats(first: a.hash, second: b.hash))
            // A paired ticket stays paired: leaving answers its game, joining again too.
            #expect(try await queue.leave(a.hash) == .matched(id, .first))
            #expect(try await queue.join(entry(a), limits: Self.limits, makeGame: Self.game) == .matched(id, .first, nil))
            // Nobody is left waiting: the next player waits.
            let c = SeatToken.random()
            #expect(try await queue.join(entry(c), limits: Self.limits, makeGame: Self.game) == .waiting)
            #expect(try await queue.leave(c.hash) == .notQueued)
        }
    }

    @Test(arguments: queues)
    func aPlayerWhoLeftOrWentStaleIsNotPaired(factory: Factory) async throws {
        try await withQueue(factory) { _, queue in
            let (a, b, c) = (SeatToken.random(), SeatToken.random(), SeatToken.random())
            #expect(try await queue.join(entry(a), limits: Self.limits, makeGame: Self.game) == .waiting)
            #expect(try await queue.leave(a.hash) == .notQueued)
            #expect(try await queue.status(of: a.hash, limits: Self.limits) == .notQueued)
            #expect(try await queue.leave(a.hash) == .notQueued)
            // b's page stops asking; after staleSeconds c is not paired with it.
            let staleAfterOne = MatchLimits(perClient: 2, max: 1000, waitSeconds: 120, staleSeconds: 1)
            #expect(try await queue.join(entry(b), limits: staleAfterOne, makeGame: Self.game) == .waiting)
            try await Task.sleep(for: .milliseconds(1300))
            #expect(try await queue.join(entry(c), limits: staleAfterOne, makeGame: Self.game) == .waiting)
            #expect(try await queue.status(of: b.hash, limits: staleAfterOne) == .notQueued)
            #expect(try await queue.leave(c.hash) == .notQueued)
        }
    }

    @Test(arguments: queues)
    func aPlayerWhoWaitedTheLongestAllowedLeavesByItself(factory: Factory) async throws {
        try await withQueue(factory) { _, queue in
            let a = SeatToken.random()
            let oneSecond = MatchLimits(perClient: 2, max: 1000, waitSeconds: 1)
            #expect(try await queue.join(entry(a), limits: oneSecond, makeGame: Self.game) == .waiting)
            try await Task.sleep(for: .milliseconds(1300))
            #expect(try await queue.status(of: a.hash, limits: oneSecond) == .notQueued)
        }
    }

    @Test(arguments: queues)
    func oneAddressHoldsItsShareAndTheTotalIsCapped(factory: Factory) async throws {
        try await withQueue(factory) { _, queue in
            // Several boards share a queue store (variants on one database): one queue each.
            let boards = (0..<4).map { "\(self.queue)-board\($0)" }
            let limits = MatchLimits(perClient: 2, max: 3, waitSeconds: 120)
            let tickets = (0..<5).map { _ in SeatToken.random() }
            #expect(try await queue.join(entry(tickets[0], queue: boards[0]), limits: limits, makeGame: Self.game) == .waiting)
            #expect(try await queue.join(entry(tickets[1], queue: boards[1]), limits: limits, makeGame: Self.game) == .waiting)
            #expect(try await queue.join(entry(tickets[2], queue: boards[2]), limits: limits, makeGame: Self.game) == .refused(.clientFull))
            #expect(try await queue.status(of: tickets[2].hash, limits: limits) == .notQueued)
            #expect(
                try await queue.join(entry(tickets[2], client: "client-b", queue: boards[2]), limits: limits, makeGame: Self.game) == .waiting
            )
            #expect(
                try await queue.join(entry(tickets[3], client: "client-c", queue: boards[3]), limits: limits, makeGame: Self.game)
                    == .refused(.queueFull)
            )
            // A player who pairs with someone waiting takes no place, so is never refused.
            let paired = try await queue.join(entry(tickets[4], client: "client-c", queue: boards[0]), limits: limits, makeGame: Self.game)
            guard case .matched(_, .second, _) = paired else {
                Issue.record("joining a waiting player was refused: \(paired)")
                return
            }
            // Leaving frees the place.
            #expect(try await queue.leave(tickets[1].hash) == .notQueued)
            #expect(
                try await queue.join(entry(tickets[3], client: "client-c", queue: boards[3]), limits: limits, makeGame: Self.game) == .waiting
            )
            for ticket in tickets { _ = try await queue.leave(ticket.hash) }
        }
    }
}

/// Quick match through ``GameService``, as the routes use it: several processes, one queue.
@Suite(.serialized) struct QuickMatchTests {
    static func service(_ store: any GameStore, _ yaml: String = "") throws -> GameService {
        let settings = try ConfigLoader.parse(yaml, source: "server.yaml")
        return GameService(settings: settings, store: store, computer: ComputerMoveQueue(threads: 1, capacity: 4))
    }

    struct Seated: Hashable {
        var ticket: SeatToken
        var game: GameID
        var seat: Seat
    }

    /// Each of `players` joins through the service `via(i)`, all at once; those who wait ask until
    /// they are paired.
    static func queueAtOnce(_ players: Int, via services: [GameService]) async throws -> [Seated] {
        try await withThrowingTaskGroup(of: Seated.self) { group in
            for i in 0..<players {
                let service = services[i % services.count]
                group.addTask {
                    var (ticket, answer) = try await service.joinMatch(client: "client-\(i)")
                    while case .waiting = answer {
                        answer = try await service.matchStatus(ticket: ticket, wait: .seconds(5))
                    }
                    guard case .matched(let record, let seat) = answer else { throw CancellationError() }
                    #expect(record.seats?[seat] == ticket.hash)
                    return Seated(ticket: ticket, game: record.id, seat: seat)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    static func expectPairs(_ seated: [Seated], games: Int, in store: any GameStore) async throws {
        #expect(Set(seated.map(\.ticket)).count == seated.count)
        let byGame = Dictionary(grouping: seated, by: \.game)
        #expect(byGame.count == games)
        for (id, players) in byGame {
            #expect(players.map(\.seat).sorted { $0.rawValue < $1.rawValue } == [.first, .second])
            let stored = try #require(try await store.game(id))
            #expect(Set([stored.seats?.first, stored.seats?.second]) == Set(players.map { Optional($0.ticket.hash) }))
            #expect(stored.state.moves.isEmpty)
            #expect(stored.clock?.seconds == 30)
            #expect(stored.clock?.deadline != nil)
        }
    }

    @Test func twentyPlayersQueueingAtOnceFormTenGamesInOneProcess() async throws {
        let store = MemoryGameStore(maxGames: 1000, idleTimeout: .seconds(3600))
        let service = try Self.service(store)
        let seated = try await Self.queueAtOnce(20, via: [service])
        try await Self.expectPairs(seated, games: 10, in: store)
        await store.shutdown()
    }

    #if PostgreSQL
    @Test func twentyPlayersQueueingAtOnceThroughTwoProcessesFormTenGames() async throws {
        let stores = [try await TestPostgres.store(), try await TestPostgres.store()]
        let services = try stores.map { try Self.service($0) }
        let seated = try await Self.queueAtOnce(20, via: services)
        try await Self.expectPairs(seated, games: 10, in: stores[0])
        for store in stores { await store.shutdown() }
    }

    @Test func playersPairedOnTwoProcessesPlayTheirGameThroughEither() async throws {
        let stores = [try await TestPostgres.store(), try await TestPostgres.store()]
        let (a, b) = (try Self.service(stores[0]), try Self.service(stores[1]))
        let (first, waiting) = try await a.joinMatch(client: "client-a")
        guard case .waiting = waiting else { throw CancellationError() }
        let (second, paired) = try await b.joinMatch(client: "client-b")
        guard case .matched(let game, let secondSeat) = paired,
            case .matched(let same, let firstSeat) = try await a.matchStatus(ticket: first, wait: .zero)
        else { throw CancellationError() }
        #expect(same.id == game.id)
        #expect(firstSeat == secondSeat.opponent)
        // Whoever starts moves through their own process, the other answers through theirs.
        let (starter, other) = firstSeat == .first ? ((a, first), (b, second)) : ((b, second), (a, first))
        _ = try await starter.0.move(in: game.id.rawValue, cell: .index(4), expectedVersion: 0, bearer: .token(starter.1))
        let answered = try await other.0.move(in: game.id.rawValue, cell: .index(0), expectedVersion: 1, bearer: .token(other.1))
        #expect(answered.state.moves == [4, 0])
        for store in stores { await store.shutdown() }
    }

    @Test func variantsSharingADatabaseShareTheBoundsButNotThePairing() async throws {
        let store = try await TestPostgres.store()
        let classic = try Self.service(store, "online: {match: {per_client: 1}}")
        let big = try Self.service(store, "board: {rows: 4, cols: 4, win_length: 3}\nonline: {match: {per_client: 1}}")
        #expect(classic.matchQueueName == "3x3k3-standard")
        #expect(big.matchQueueName == "4x4k3-standard")
        let client = "client-\(GameID.random().rawValue)"
        let (ticket, answer) = try await classic.joinMatch(client: client)
        guard case .waiting = answer else {
            Issue.record("the first player was not waiting")
            return
        }
        await #expect(
            throws: APIError(
                .tooManyRequests,
                "too_many_waiting",
                "this address already has 1 players waiting for an opponent; wait in one of them",
                retryAfterSeconds: 10
            )
        ) {
            try await big.joinMatch(client: client)
        }
        #expect(try await classic.leaveMatch(ticket: ticket) == nil)
        await store.shutdown()
    }
    #endif

    @Test func aWaitingRequestSeesThePairingAndWhoStarts() async throws {
        let store = MemoryGameStore(maxGames: 1000, idleTimeout: .seconds(3600))
        let service = try Self.service(store)
        var firstSeats: [Seat] = []
        for _ in 0..<24 {
            let (first, answer) = try await service.joinMatch(client: "a")
            guard case .waiting = answer else { throw CancellationError() }
            async let waited = service.matchStatus(ticket: first, wait: .seconds(5))
            try await Task.sleep(for: .milliseconds(10))
            let (_, second) = try await service.joinMatch(client: "b")
            guard case .matched(let game, let seat) = second, case .matched(let same, let other) = try await waited else {
                throw CancellationError()
            }
            #expect(game.id == same.id)
            #expect(seat == other.opponent)
            firstSeats.append(other)
        }
        // A coin toss: in 24 games the player who waited has started some and not all
        // (each way round is missed with probability 2⁻²⁴).
        #expect(firstSeats.contains(.first))
        #expect(firstSeats.contains(.second))
        await store.shutdown()
    }

    @Test func aTicketNotInTheQueueIsRefusedWithWhatToDo() async throws {
        let store = MemoryGameStore(maxGames: 1000, idleTimeout: .seconds(3600))
        let service = try Self.service(store)
        await #expect(
            throws: APIError(
                .notFound,
                "not_queued",
                "this ticket is not in the queue: it left, its page stopped asking for half a minute, or nobody was found within 120 s; join again"
            )
        ) {
            try await service.matchStatus(ticket: SeatToken.random(), wait: .zero)
        }
        #expect(try await service.leaveMatch(ticket: SeatToken.random()) == nil)
        await store.shutdown()
    }
}
