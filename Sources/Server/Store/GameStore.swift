public import Game
import ServiceLifecycle

/// Where games live. Every backend behaves the same: writes are atomic per game, and an update
/// succeeds only against the version it was computed from, so of two racing moves exactly one
/// is stored.
public protocol GameStore: Sendable {
    /// Stores a new game.
    func insert(_ record: GameRecord) async throws(StoreError)

    func game(_ id: GameID) async throws(StoreError) -> GameRecord?

    /// Stores the game's new state (its moves, version and turn clock) if its stored version is
    /// still `expectedVersion`. Its seats and rematch link stay as stored: only ``claimSeat(in:token:at:)``
    /// and ``rematch(of:makeGame:)`` change those, so a move computed from a record read before a
    /// claim never undoes the claim.
    func update(_ record: GameRecord, expectedVersion: Int) async throws(StoreError) -> UpdateResult

    /// Links `original` to a new game made by `makeGame`, once: later calls return the game
    /// linked first. `nil` when `original` is unknown.
    func rematch(of original: GameID, makeGame: @Sendable (GameRecord) -> GameRecord) async throws(StoreError) -> GameRecord?

    /// Gives the first open seat of the online game `id` to the holder of `token`, once. A claim
    /// that takes the last open seat starts the game's turn clock, if it has one, at `now`
    /// (milliseconds since 1970).
    func claimSeat(in id: GameID, token: TokenHash, at now: Int64) async throws(StoreError) -> SeatClaim

    /// Throws when the backend cannot serve requests.
    func checkHealth() async throws(StoreError)

    /// Does the store's background work (connection pools, expiry sweeps) until graceful shutdown,
    /// then releases connections and files.
    func run() async

    /// Releases connections and files; the store is not used afterwards.
    func shutdown() async
}

extension GameStore {
    public func shutdown() async {}

    /// ``claimSeat(in:token:at:)`` now.
    public func claimSeat(in id: GameID, token: TokenHash) async throws(StoreError) -> SeatClaim {
        try await claimSeat(in: id, token: token, at: WallClock.milliseconds())
    }

    public func run() async {
        try? await gracefulShutdown()
        await shutdown()
    }
}

public enum SeatClaim: Sendable, Equatable {
    case claimed(Seat, GameRecord)
    /// Both seats were already taken, or the game is not an online game.
    case noOpenSeat(GameRecord)
    case notFound
}

public enum UpdateResult: Sendable {
    case updated
    /// Someone else changed the game first; here is what is stored now.
    case conflict(current: GameRecord)
    case notFound
}

/// The backend cannot take the request now; answered with 503.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
