import Synchronization

/// Fans new states of games out to the live streams watching them in this process.
///
/// Never blocks a publisher: each stream buffers the newest few events, and a stream that falls
/// behind skips intermediate states (every event carries the whole game, so the newest suffices).
/// At most `capacity` streams are open at once; ``subscribe(to:)`` refuses more.
public final class GameEvents: Sendable {
    public enum Event: Sendable, Equatable {
        case game(GameRecord)
        case heartbeat
    }

    /// One open stream. End it with ``GameEvents/cancel(_:)``.
    public struct Subscription: Sendable {
        let key: Int
        public let game: GameID
        public let events: AsyncStream<Event>
    }

    private struct Watchers: ~Copyable {
        var nextKey = 0
        var count = 0
        var byGame: [GameID: [Int: AsyncStream<Event>.Continuation]] = [:]
        var closed = false
    }

    private let watchers = Mutex(Watchers())
    public let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    /// A stream of `game`'s changes from now on; `nil` when `capacity` streams are open or the
    /// server is shutting down.
    public func subscribe(to game: GameID) -> Subscription? {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(4))
        let key: Int? = watchers.withLock { w in
            guard !w.closed, w.count < capacity else { return nil }
            w.nextKey += 1
            w.count += 1
            w.byGame[game, default: [:]][w.nextKey] = continuation
            return w.nextKey
        }
        guard let key else {
            continuation.finish()
            return nil
        }
        let subscription = Subscription(key: key, game: game, events: stream)
        continuation.onTermination = { [weak self] _ in self?.remove(subscription) }
        return subscription
    }

    /// Ends the stream; its consumer sees the end after any events still buffered.
    public func cancel(_ subscription: Subscription) {
        remove(subscription)?.finish()
    }

    @discardableResult
    private func remove(_ subscription: Subscription) -> AsyncStream<Event>.Continuation? {
        watchers.withLock { w in
            guard let continuation = w.byGame[subscription.game]?.removeValue(forKey: subscription.key) else { return nil }
            w.count -= 1
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
            w.count = 0
            return all
        }
        for continuation in all { continuation.finish() }
    }
}
