import Game

extension GameService {
    /// What ``storeEnding(of:result:_:)`` did.
    enum Ending {
        /// The ending was stored: the game as it now is.
        case ended(GameRecord)
        /// Nothing to end (the closure said so) in the game as stored.
        case unchanged(GameRecord)
        /// Other writers changed the game on every try; the game as last read.
        case keptChanging(GameRecord)

        var game: GameRecord {
            switch self {
            case .ended(let game), .unchanged(let game), .keptChanging(let game): game
            }
        }
    }

    /// Ends a game that is not the caller's move to make (a resignation, a turn clock run out):
    /// `end` makes the ended game from the stored one, or answers nil when there is nothing to
    /// end, and the result is stored against the version it was made from, as a move is. When
    /// another process or request stored first, `end` runs again on what they stored, up to three
    /// times; so of all the writers that end the same game, exactly one does, and `result` is
    /// counted once in `games.finished`.
    func storeEnding(
        of record: GameRecord,
        result: String,
        _ end: (GameRecord) throws(APIError) -> GameRecord?
    ) async throws(APIError) -> Ending {
        var current = record
        for _ in 0..<3 {
            guard let ended = try end(current) else { return .unchanged(current) }
            let outcome = try await run("update") { () throws(StoreError) in try await store.update(ended, expectedVersion: current.version) }
            switch outcome {
            case .updated:
                stored(ended)
                GameMetrics.gamesFinished[result]?.increment()
                return .ended(ended)
            case .notFound:
                throw gone(current.id)
            case .conflict(let stored):
                recent?.remember(stored)
                current = stored
            }
        }
        return .keptChanging(current)
    }
}
