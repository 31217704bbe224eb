/// Games in this process's memory, lost on restart.
///
/// Bounded: at most `maxGames` are kept, and creating one more evicts the game idle longest;
/// a game untouched for `idleTimeout` is dropped when the store next makes room.
public actor MemoryGameStore: GameStore {
    private struct Entry {
        var record: GameRecord
        var touched: ContinuousClock.Instant
    }

    private var games: [GameID: Entry] = [:]
    /// Touch events, oldest first. An event is stale when its game was touched again later.
    private var touches: [(id: GameID, at: ContinuousClock.Instant)] = []
    private var touchesStart = 0
    private let maxGames: Int
    private let idleTimeout: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    public init(maxGames: Int, idleTimeout: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.maxGames = maxGames
        self.idleTimeout = idleTimeout
        self.now = now
    }

    public var count: Int { games.count }

    public func insert(_ record: GameRecord) {
        let time = now()
        evict(at: time, making: 1)
        games[record.id] = Entry(record: record, touched: time)
        touch(record.id, at: time)
    }

    public func game(_ id: GameID) -> GameRecord? {
        guard var entry = games[id] else { return nil }
        let time = now()
        if time - entry.touched >= idleTimeout {
            games[id] = nil
            return nil
        }
        entry.touched = time
        games[id] = entry
        touch(id, at: time)
        return entry.record
    }

    public func update(_ record: GameRecord, expectedVersion: Int) -> UpdateResult {
        guard var entry = games[record.id] else { return .notFound }
        guard entry.record.version == expectedVersion else { return .conflict(current: entry.record) }
        let time = now()
        entry.record = record
        entry.touched = time
        games[record.id] = entry
        touch(record.id, at: time)
        return .updated
    }

    public func rematch(of original: GameID, makeGame: @Sendable (GameRecord) -> GameRecord) -> GameRecord? {
        guard let old = game(original) else { return nil }
        if let existing = old.rematchID, let linked = game(existing) { return linked }
        let new = makeGame(old)
        insert(new)
        if var entry = games[original] {
            entry.record.rematchID = new.id
            games[original] = entry
        }
        return new
    }

    public func checkHealth() {}

    private func touch(_ id: GameID, at time: ContinuousClock.Instant) {
        touches.append((id, time))
        // Keep the log proportional to the games it describes.
        if touches.count - touchesStart > 2 * games.count + 1024 { compact() }
    }

    /// Drops expired games, then the longest idle ones until `count` more fit under the cap.
    private func evict(at time: ContinuousClock.Instant, making count: Int) {
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

    private func compact() {
        touches = games.map { ($0.key, $0.value.touched) }.sorted { $0.at < $1.at }
        touchesStart = 0
    }
}
