/// Where games live. Every backend behaves the same: writes are atomic per game, and an update
/// succeeds only against the version it was computed from, so of two racing moves exactly one
/// is stored.
public protocol GameStore: Sendable {
    /// Stores a new game.
    func insert(_ record: GameRecord) async throws(StoreError)

    func game(_ id: GameID) async throws(StoreError) -> GameRecord?

    /// Replaces the game if its stored version is still `expectedVersion`.
    func update(_ record: GameRecord, expectedVersion: Int) async throws(StoreError) -> UpdateResult

    /// Links `original` to a new game made by `makeGame`, once: later calls return the game
    /// linked first. `nil` when `original` is unknown.
    func rematch(of original: GameID, makeGame: @Sendable (GameRecord) -> GameRecord) async throws(StoreError) -> GameRecord?

    /// Throws when the backend cannot serve requests.
    func checkHealth() async throws(StoreError)

    /// Releases connections and files; the store is not used afterwards.
    func shutdown() async
}

extension GameStore {
    public func shutdown() async {}
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
