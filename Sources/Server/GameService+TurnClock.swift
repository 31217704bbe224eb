import Game

extension GameService {
    /// `record`, or, when its turn clock has run out, the game ended by it: the player to move
    /// lost. Of all the processes and requests that notice the same deadline, exactly one ends
    /// the game (``storeEnding(of:result:_:)``); the others get the game as that one stored it.
    func endingIfTimeIsUp(_ record: GameRecord) async throws(APIError) -> GameRecord {
        let now = now()
        return try await storeEnding(of: record, result: "timed_out") { current in
            guard let clock = current.clock, clock.hasRunOut(at: now), let late = current.state.next else { return nil }
            var ended = current
            do {
                try ended.state.timeOut(late)
            } catch {
                return nil
            }
            ended.clock = clock.stopped
            return ended
        }.game
    }
}
