import Locking

/// Fans new states of games out to the live streams watching them in this process.
///
/// Never blocks a publisher: each stream buffers the newest few events, and a stream that falls
/// behind skips intermediate states (every event carries the whole game, so the newest suffices).
/// At most `capacity` streams are open at once, and at most `perClient` for one client address;
/// ``subscribe(to:client:)`` refuses more, saying which cap was reached.
public final class GameEvents: Sendable {
    public enum Event: Sendable, Equatable {
        case game(GameRecord)
        case heartbeat
    }

    /// One open stream. End it with ``GameEvents/cancel(_:)``.
    public struct Subscription: Sendable {
        let key: Int
        public let game: GameID
        let client: String
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
    }

    private let watchers = Mutex(Watchers())
    public let capacity: Int
    public let perClient: Int

    public init(capacity: Int = 10_000, perClient: Int = 8) {
        self.capacity = capacity
        self.perClient = perClient
    }

    /// A stream of `game`'s changes from now on, counted against `client`'s cap until it ends.
    public func subscribe(to game: GameID, client: String = "") throws(Refusal) -> Subscription {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(4))
        let key: Result<Int, Refusal> = watchers.withLock { w in
            guard !w.closed else { return .failure(.closed) }
            guard w.count < capacity else { return .failure(.processFull) }
            guard w.byClient[client, default: 0] < perClient else { return .failure(.clientFull) }
            w.nextKey += 1
            w.count += 1
            w.byClient[client, default: 0] += 1
            w.byGame[game, default: [:]][w.nextKey] = continuation
            GameMetrics.streamsOpen.set(w.count)
            return .success(w.nextKey)
        }
        switch key {
        case .failure(let refusal):
            continuation.finish()
            throw refusal
        case .success(let key):
            let subscription = Subscription(key: key, game: game, client: client, events: stream)
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
            GameMetrics.streamsOpen.set(w.count)
            if w.byGame[subscription.game]?.isEmpty == true { w.byGame[subscription.game] = nil }
            return continuation
        }
    }

    public func publish(_ record: GameRecord) {
        for continuation in watchers.withLock({ Array(($0.byGame[record.id] ?? [:]).values) }) {
            continuation.yield(.game(record))
        }
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
            w.count = 0
            return all
        }
        for continuation in all { continuation.finish() }
    }
}
