import Game

extension GameService {
    /// The caller gives up the game `id`: the other side wins, and the result counts in the score
    /// as any win does. Who resigns: in an online game the seat `bearer` holds (either player, on
    /// either turn); against the computer the human; at one screen the player to move.
    /// `expectedVersion`, when given, must be the game's version (409 `stale_version` otherwise).
    public func resign(in id: String, expectedVersion: Int?, bearer: Bearer = .none) async throws(APIError) -> GameRecord {
        let record = try await game(id)
        // A move stored by the other player first is no reason to refuse: resign the game as it
        // is now, unless it has ended or the caller named the version it saw.
        let ending = try await storeEnding(of: record, result: "resigned") { (record) throws(APIError) in
            if let expectedVersion, expectedVersion != record.version {
                throw APIError(
                    .conflict,
                    "stale_version",
                    "the game is at version \(record.version), not \(expectedVersion); reload it and try again"
                )
            }
            let playerSeat = try seat(in: record, bearer: bearer)
            let resigning: Seat
            if let playerSeat {
                resigning = playerSeat
            } else if record.opponent == .computer {
                resigning = record.computerSeat.opponent
            } else {
                guard let next = record.state.next else { throw apiError(for: .gameOver(record.state.outcome), in: record) }
                resigning = next
            }
            var next = record
            do throws(MoveError) {
                try next.state.resign(resigning)
                next.clock = next.clock?.stopped
            } catch {
                throw apiError(for: error, in: record)
            }
            return next
        }
        guard case .ended(let resigned) = ending else {
            throw APIError(
                .conflict,
                "stale_version",
                "the game kept changing while resigning (it is now at version \(ending.game.version)); reload it and try again"
            )
        }
        return resigned
    }
}
