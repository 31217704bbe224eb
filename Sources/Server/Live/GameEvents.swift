import Locking

/// Fans new states of games out to the live streams watching them in this process.
///
/// Never blocks a publisher: each stream buffers the newest few events, and a stream that falls
/// behind skips intermediate states (every event carries the whole game, so the newest suffices).
/// At most `capacity` streams are open at once, and at most `perClient` for one client address;
/// ``subscribe(to:client:spectator:)`` refuses more, saying which cap was reached.
///
/// It also keeps what the streams' games need between changes: the turn deadline of each watched
/// game as last published (for ``TurnClockService``), and how many spectators watch each, here
/// and, as last tallied, everywhere (for ``SpectatorService``).
public final class GameEvents: Sendable {
    public enum Event: Sendable, Equatable {
        case game(GameRecord)
        /// How many watch the game without playing it, counted across processes.
        case spectators(Int)
        case heartbeat
    }

    /// One open stream. End it with ``GameEvents/cancel(_:)``.
    public struct Subscription: Sendable {
        let key: Int
        public let game: GameID
        let client: String
        let spectator: Bool
        public let events: AsyncStream<Event>
    }

    /// Why ``subscribe(to:client:)`` refused.
    public enum Refusal: Error, Sendable, Equatable {
        /// The client holds `perClient` streams already.
        case clientFull
        /// `capacity` streams are open.
        case processFull
        /// The server is shutting down.
        case closed
    }

    private struct Watchers {
        var nextKey = 0
        var count = 0
        var byGame: [GameID: [Int: AsyncStream<Event>.Continuation]] = [:]
        var byClient: [String: Int] = [:]
        var closed = false
        /// Streams of each game opened by spectators (not players), in this process.
        var spectators: [GameID: Int] = [:]
        /// Spectators of each watched game everywhere, as last tallied.
        var tallied: [GameID: Int] = [:]
        /// The turn deadline of each watched game with a running clock, as last published.
        var deadlines: [GameID: Int64] = [:]
    }

    private let watchers = Mutex(Watchers())
    public let capacity: Int
    public let perClient: Int

    public init(capacity: Int = 10_000, perClient: Int = 8) {
        self.capacity = capacity
        self.perClient = perClient
    }

    /// A stream of `game`'s changes from now on, counted against `client`'s cap until it ends,
    /// and as one of the game's spectators if `spectator`.
    public func subscribe(to game: GameID, client: String = "", spectator: Bool = false) throws(Refusal) -> Subscription {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(4))
        let key: Result<Int, Refusal> = watchers.withLock { w in
            guard !w.closed else { return .failure(.closed) }
            guard w.count < capacity else { return .failure(.processFull) }
            guard w.byClient[client, default: 0] < perClient else { return .failure(.clientFull) }
            w.nextKey += 1
            w.count += 1
            w.byClient[client, default: 0] += 1
            w.byGame[game, default: [:]][w.nextKey] = continuation
            if spectator { w.spectators[game, default: 0] += 1 }
            GameMetrics.streamsOpen.set(w.count)
            return .success(w.nextKey)
        }
        switch key {
        case .failure(let refusal):
            continuation.finish()
            throw refusal
        case .success(let key):
            let subscription = Subscription(key: key, game: game, client: client, spectator: spectator, events: stream)
            continuation.onTermination = { [weak self] _ in self?.remove(subscription) }
            return subscription
        }
    }

    /// Streams `client` holds open.
    public func streamCount(of client: String) -> Int { watchers.withLock { $0.byClient[client] ?? 0 } }

    /// Ends the stream; its consumer sees the end after any events still buffered.
    public func cancel(_ subscription: Subscription) {
        remove(subscription)?.finish()
    }

    @discardableResult
    private func remove(_ subscription: Subscription) -> AsyncStream<Event>.Continuation? {
        watchers.withLock { w in
            guard let continuation = w.byGame[subscription.game]?.removeValue(forKey: subscription.key) else { return nil }
            w.count -= 1
            let held = (w.byClient[subscription.client] ?? 1) - 1
            w.byClient[subscription.client] = held > 0 ? held : nil
            if subscription.spectator {
                let left = (w.spectators[subscription.game] ?? 1) - 1
                w.spectators[subscription.game] = left > 0 ? left : nil
            }
            GameMetrics.streamsOpen.set(w.count)
            if w.byGame[subscription.game]?.isEmpty == true {
                w.byGame[subscription.game] = nil
                w.tallied[subscription.game] = nil
                w.deadlines[subscription.game] = nil
            }
            return continuation
        }
    }

    public func publish(_ record: GameRecord) {
        let streams = watchers.withLock { w -> [AsyncStream<Event>.Continuation] in
            guard let streams = w.byGame[record.id] else { return [] }
            Self.noteDeadline(of: record, in: &w)
            return Array(streams.values)
        }
        for continuation in streams {
            continuation.yield(.game(record))
        }
    }

    /// Notes `record`'s turn deadline if it is watched, without sending it to any stream: a
    /// stream's first state, which it writes itself.
    public func track(_ record: GameRecord) {
        watchers.withLock { w in
            if w.byGame[record.id] != nil { Self.noteDeadline(of: record, in: &w) }
        }
    }

    private static func noteDeadline(of record: GameRecord, in w: inout Watchers) {
        w.deadlines[record.id] = record.state.isOver ? nil : record.clock?.deadline
    }

    /// Watched games whose turn deadline has passed at `now` (milliseconds since 1970).
    public func gamesOutOfTime(at now: Int64) -> [GameID] {
        watchers.withLock { w in w.deadlines.filter { $0.value <= now }.map(\.key) }
    }

    /// This process's spectator streams of every watched game, zero included.
    public var localSpectators: [GameID: Int] {
        watchers.withLock { w in
            Dictionary(uniqueKeysWithValues: w.byGame.keys.map { ($0, w.spectators[$0] ?? 0) })
        }
    }

    /// The spectators of `game` everywhere, as last tallied; this process's own count before the
    /// first tally.
    public func spectators(of game: GameID) -> Int {
        watchers.withLock { $0.tallied[game] ?? $0.spectators[game] ?? 0 }
    }

    /// Records the tallied spectator counts and sends each watched game's streams its count when
    /// it changed.
    public func publishSpectators(_ totals: [GameID: Int]) {
        let changed = watchers.withLock { w -> [(AsyncStream<Event>.Continuation, Int)] in
            var changed: [(AsyncStream<Event>.Continuation, Int)] = []
            for (game, streams) in w.byGame {
                let total = totals[game] ?? w.spectators[game] ?? 0
                guard w.tallied[game] != total else { continue }
                w.tallied[game] = total
                changed += streams.values.map { ($0, total) }
            }
            return changed
        }
        for (continuation, total) in changed { continuation.yield(.spectators(total)) }
    }

    /// Sends every stream a heartbeat, which keeps idle connections open through load balancers.
    public func heartbeat() {
        for continuation in watchers.withLock({ $0.byGame.values.flatMap(\.values) }) {
            continuation.yield(.heartbeat)
        }
    }

    public var watchedGames: [GameID] { watchers.withLock { Array($0.byGame.keys) } }

    public func isWatched(_ game: GameID) -> Bool { watchers.withLock { $0.byGame[game] != nil } }

    public var streamCount: Int { watchers.withLock { $0.count } }

    /// Ends every stream and refuses new ones: the server is shutting down.
    public func closeAll() {
        let all = watchers.withLock { w -> [AsyncStream<Event>.Continuation] in
            w.closed = true
            let all = w.byGame.values.flatMap(\.values)
            w.byGame = [:]
            w.byClient = [:]
            w.spectators = [:]
            w.tallied = [:]
            w.deadlines = [:]
            w.count = 0
            return all
        }
        for continuation in all { continuation.finish() }
    }
}
