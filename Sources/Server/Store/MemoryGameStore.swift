import Locking

/// Games in this process's memory, lost on restart.
///
/// Bounded: at most `maxGames` are kept, and creating one more evicts the game idle longest;
/// a game untouched for `idleTimeout` is dropped when the store next makes room.
///
/// Every operation runs under one lock and never suspends, so callers on an event loop stay on it.
public final class MemoryGameStore: GameStore {
    private let state: Mutex<Storage>
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(maxGames: Int, idleTimeout: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        state = Mutex(Storage(maxGames: maxGames, idleTimeout: idleTimeout))
        self.now = now
    }

    public var count: Int { state.withLock { $0.games.count } }

    public func insert(_ record: GameRecord) {
        let time = now()
        state.withLock { $0.insert(record, at: time) }
    }

    public func game(_ id: GameID) -> GameRecord? {
        let time = now()
        return state.withLock { $0.game(id, at: time) }
    }

    public func update(_ record: GameRecord, expectedVersion: Int) -> UpdateResult {
        let time = now()
        return state.withLock { $0.update(record, expectedVersion: expectedVersion, at: time) }
    }

    public func rematch(of original: GameID, makeGame: @Sendable (GameRecord) -> GameRecord) -> GameRecord? {
        let time = now()
        return state.withLock { storage -> GameRecord? in
            guard let old = storage.game(original, at: time) else { return nil }
            if let existing = old.rematchID, let linked = storage.game(existing, at: time) { return linked }
            let new = makeGame(old)
            storage.insert(new, at: time)
            storage.games[original]?.record.rematchID = new.id
            return new
        }
    }

    public func claimSeat(in id: GameID, token: TokenHash, at wallClock: Int64) -> SeatClaim {
        let time = now()
        return state.withLock { storage -> SeatClaim in
            guard var record = storage.game(id, at: time) else { return .notFound }
            guard let seat = record.seats?.open else { return .noOpenSeat(record) }
            record.seats?[seat] = token
            if record.seats?.open == nil, !record.state.isOver { record.clock = record.clock?.started(at: wallClock) }
            storage.games[id]?.record = record
            return .claimed(seat, record)
        }
    }

    public func checkHealth() {}
}

/// The games and their touch log; only ever used under ``MemoryGameStore``'s lock.
private struct Storage {
    struct Entry {
        var record: GameRecord
        var touched: ContinuousClock.Instant
    }

    var games: [GameID: Entry] = [:]
    /// Touch events, oldest first. An event is stale when its game was touched again later.
    var touches: [(id: GameID, at: ContinuousClock.Instant)] = []
    var touchesStart = 0
    let maxGames: Int
    let idleTimeout: Duration

    init(maxGames: Int, idleTimeout: Duration) {
        self.maxGames = maxGames
        self.idleTimeout = idleTimeout
    }

    mutating func insert(_ record: GameRecord, at time: ContinuousClock.Instant) {
        evict(at: time, making: 1)
        games[record.id] = Entry(record: record, touched: time)
        touch(record.id, at: time)
    }

    mutating func game(_ id: GameID, at time: ContinuousClock.Instant) -> GameRecord? {
        guard var entry = games[id] else { return nil }
        if time - entry.touched >= idleTimeout {
            games[id] = nil
            return nil
        }
        entry.touched = time
        games[id] = entry
        touch(id, at: time)
        return entry.record
    }

    mutating func update(_ record: GameRecord, expectedVersion: Int, at time: ContinuousClock.Instant) -> UpdateResult {
        guard var entry = games[record.id] else { return .notFound }
        guard entry.record.version == expectedVersion else { return .conflict(current: entry.record) }
        entry.record.state = record.state
        entry.record.clock = record.clock
        entry.touched = time
        games[record.id] = entry
        touch(record.id, at: time)
        return .updated
    }

    mutating func touch(_ id: GameID, at time: ContinuousClock.Instant) {
        touches.append((id, time))
        // Keep the log proportional to the games it describes.
        if touches.count - touchesStart > 2 * games.count + 1024 { compact() }
    }

    /// Drops expired games, then the longest idle ones until `count` more fit under the cap.
    mutating func evict(at time: ContinuousClock.Instant, making count: Int) {
        while touchesStart < touches.count {
            let (id, at) = touches[touchesStart]
            guard let entry = games[id], entry.touched == at else {
                touchesStart += 1
                continue
            }
            let expired = time - at >= idleTimeout
            guard expired || games.count + count > maxGames else { break }
            games[id] = nil
            touchesStart += 1
        }
        if touchesStart > 4096 && touchesStart * 2 > touches.count { compact() }
    }

    /// Drops stale touch events, keeping the log in time order without sorting.
    mutating func compact() {
        let games = self.games
        touches = touches[touchesStart...].filter { games[$0.id]?.touched == $0.at }
        touchesStart = 0
    }
}
