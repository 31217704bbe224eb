import Game

extension GameService {
    /// `record`, or, when its turn clock has run out, the game ended by it: the player to move
    /// lost. The ending is stored against the version read, like a move, so of all the processes
    /// and requests that notice the same deadline exactly one ends the game; the others get the
    /// game as that one stored it.
    func endingIfTimeIsUp(_ record: GameRecord) async throws(APIError) -> GameRecord {
        var current = record
        for _ in 0..<3 {
            guard let clock = current.clock, clock.hasRunOut(at: now()), let late = current.state.next else { return current }
            var ended = current
            do {
                try ended.state.timeOut(late)
            } catch {
                return current
            }
            ended.clock = clock.stopped
            let result = try await run("update") { () throws(StoreError) in try await store.update(ended, expectedVersion: current.version) }
            switch result {
            case .updated:
                stored(ended)
                GameMetrics.gamesFinished["timed_out"]?.increment()
                return ended
            case .notFound:
                throw gone(current.id)
            case .conflict(let stored):
                recent?.remember(stored)
                current = stored
            }
        }
        return current
    }
}
