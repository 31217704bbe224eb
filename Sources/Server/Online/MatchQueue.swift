public import Game

/// The quick-match queue ("Play someone"): players wait in the queue of their board and rule,
/// and the first two waiting are paired into one online game.
///
/// A player is named by the hash of their ticket, a ``SeatToken`` given when they joined that
/// becomes their seat token in the game, so no secret travels between processes. Guarantees, for
/// every process that shares the queue: a waiting player is paired at most once; a player who
/// left, or whose waiting page stopped asking for longer than ``MatchLimits/staleSeconds``, or who
/// waited longer than ``MatchLimits/waitSeconds``, is not paired.
public protocol MatchQueue: Sendable {
    /// Puts `entry` in its queue, or, when another player waits there, pairs the two at once:
    /// `makeGame` makes their game from the two tickets (the one waiting longer first), and the
    /// queue stores it (``GameStore/insert(_:)``) before either can see it. Joining again with a
    /// ticket already in the queue answers where it stands.
    func join(
        _ entry: MatchEntry,
        limits: MatchLimits,
        makeGame: @escaping @Sendable (_ waiting: TokenHash, _ joining: TokenHash) -> GameRecord
    ) async throws(StoreError) -> MatchJoin

    /// Where `ticket` stands; a waiting ticket counts as still there from now.
    func status(of ticket: TokenHash, limits: MatchLimits) async throws(StoreError) -> MatchStatus

    /// Takes a waiting `ticket` out of the queue and answers ``MatchStatus/notQueued``; a ticket
    /// already paired stays paired, and the answer says where.
    func leave(_ ticket: TokenHash) async throws(StoreError) -> MatchStatus

    /// How often a waiting request asks ``status(of:limits:)`` again.
    var pollInterval: Duration { get }
}

/// One player asking to join a queue.
public struct MatchEntry: Sendable, Equatable {
    public var ticket: TokenHash
    /// The queue: one per board shape and rule, e.g. `3x3k3-standard`.
    public var queue: String
    /// The client address, counted against ``MatchLimits/perClient``.
    public var client: String

    public init(ticket: TokenHash, queue: String, client: String) {
        self.ticket = ticket
        self.queue = queue
        self.client = client
    }
}

/// The queue's bounds.
public struct MatchLimits: Sendable, Equatable {
    /// Players one client address may have waiting at once.
    public var perClient: Int
    /// Players waiting at once in all queues.
    public var max: Int
    /// The longest a player waits before leaving the queue by itself.
    public var waitSeconds: Int
    /// A waiting player whose page has not asked for this long has gone (the tab was closed).
    public var staleSeconds: Int
    /// How long a paired ticket still answers with its game.
    public var keepSeconds: Int

    public init(perClient: Int, max: Int, waitSeconds: Int, staleSeconds: Int = 30, keepSeconds: Int = 300) {
        self.perClient = perClient
        self.max = max
        self.waitSeconds = waitSeconds
        self.staleSeconds = staleSeconds
        self.keepSeconds = keepSeconds
    }
}

/// Where a ticket stands.
public enum MatchStatus: Sendable, Equatable {
    case waiting
    case matched(GameID, Seat)
    /// Not in the queue: never joined, left, gone stale, or waited the longest allowed.
    case notQueued
}

/// What joining gave.
public enum MatchJoin: Sendable, Equatable {
    case waiting
    /// Paired: the game (just made, or, for a ticket that was already paired, its id only).
    case matched(GameID, Seat, GameRecord?)
    case refused(MatchRefusal)
}

public enum MatchRefusal: Sendable, Equatable {
    /// The client address has ``MatchLimits/perClient`` players waiting.
    case clientFull
    /// ``MatchLimits/max`` players are waiting.
    case queueFull
}
