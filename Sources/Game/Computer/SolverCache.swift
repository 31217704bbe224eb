import Locking

/// Lends out solvers for a board and rule, and takes them back, so that the transposition table
/// filled while answering one move speeds up the next ones, in this game and in others.
///
/// A solver is lent to one caller at a time; at most `maximumIdlePerBoard` are kept per board.
public final class SolverCache: Sendable {
    public static let shared = SolverCache()

    private struct Key: Hashable {
        var shape: BoardShape
        var rule: Rule
    }

    private let idle = Mutex<[Key: [Solver]]>([:])
    private let maximumIdlePerBoard = 4

    public init() {}

    /// Runs `body` with a solver for the board, which stops at `deadline`; `nil` when the board
    /// is too large to solve. A solver that ran out of time is not kept.
    public func withSolver<T>(shape: BoardShape, rule: Rule, deadline: ContinuousClock.Instant?, _ body: (Solver) -> T) -> T? {
        let key = Key(shape: shape, rule: rule)
        let lent = idle.withLock { $0[key]?.popLast() }
        guard let solver = lent ?? Solver(shape: shape, rule: rule) else { return nil }
        solver.deadline = deadline
        let result = body(solver)
        if solver.aborted { return result }
        idle.withLock { solvers in
            if solvers[key, default: []].count < maximumIdlePerBoard { solvers[key, default: []].append(solver) }
        }
        return result
    }
}
