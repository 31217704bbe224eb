/// Chooses the computer's moves. Pure computation: callers decide on which thread it runs.
public struct ComputerPlayer: Sendable, Hashable {
    public var level: Level
    /// The most time ``Level/perfect`` spends on a board too large to solve.
    public var thinkTime: Duration

    public init(level: Level, thinkTime: Duration = .milliseconds(200)) {
        self.level = level
        self.thinkTime = thinkTime
    }

    /// A legal move for the player whose turn it is, or `nil` when the game is over.
    public func move(in state: GameState, using rng: inout some RandomNumberGenerator) -> Int? {
        guard !state.isOver else { return nil }
        switch level {
        case .easy:
            if Bool.random(using: &rng), let win = immediateWin(in: state) { return win }
            return state.emptyCells.randomElement(using: &rng)
        case .normal:
            let search = HeuristicSearch(shape: state.shape, rule: state.rule)
            return search.bestMove(in: state, maxDepth: 2, deadline: nil, using: &rng)
        case .perfect:
            // The exact search normally ends in milliseconds; the deadline only guards against a
            // board that proves slower than measured, which then gets the heuristic's answer.
            if Solver.canSolve(state.shape, rule: state.rule),
                let best = SolverCache.shared.withSolver(
                    shape: state.shape,
                    rule: state.rule,
                    deadline: .now + max(.seconds(2), thinkTime * 5),
                    { $0.bestMoves(in: state) }
                ),
                let move = best.randomElement(using: &rng)
            {
                return move
            }
            let search = HeuristicSearch(shape: state.shape, rule: state.rule)
            return search.bestMove(in: state, maxDepth: 64, deadline: .now + thinkTime, using: &rng)
        }
    }

    private func immediateWin(in state: GameState) -> Int? {
        state.emptyCells.first { cell in
            var copy = state
            guard (try? copy.play(cell)) != nil, case .won(let winner, _) = copy.outcome else { return false }
            return winner == state.next
        }
    }
}
