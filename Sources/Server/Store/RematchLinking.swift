/// A store whose rematches are made by claiming the old game's link in one statement, for
/// backends where one lock cannot cover reading, inserting and linking (SQLite, PostgreSQL).
package protocol RematchLinking: GameStore {
    /// Sets `original`'s rematch to `new` unless it names one already; whether it did.
    func claimRematchLink(of original: GameID, to new: GameID) async throws(StoreError) -> Bool

    func delete(_ id: GameID) async throws(StoreError)
}

extension RematchLinking {
    /// Stores the new game first, then claims the link. Whoever loses the claim deletes its game
    /// and answers with the winner's, which is already stored: every caller gets the same game.
    package func rematchByClaimingLink(
        of original: GameID,
        makeGame: @Sendable (GameRecord) -> GameRecord
    ) async throws(StoreError) -> GameRecord? {
        guard let old = try await game(original) else { return nil }
        if let existing = old.rematchID { return try await game(existing) }
        let new = makeGame(old)
        try await insert(new)
        if try await claimRematchLink(of: original, to: new.id) { return new }
        try await delete(new.id)
        guard let linked = try await game(original)?.rematchID else { return nil }
        return try await game(linked)
    }
}
