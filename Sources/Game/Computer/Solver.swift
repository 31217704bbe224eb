/// The value of a position under perfect play by both sides.
public enum SolvedValue: String, Sendable, Hashable {
    case firstPlayerWin = "first-player-win"
    case draw
    case secondPlayerWin = "second-player-win"
}

/// Exact game-tree search for boards of at most 64 cells: negamax with alpha-beta, a
/// transposition table keyed by the position's canonical form under the board's symmetries,
/// forced-move tactics and dead-line bounds.
///
/// Scores are from the side to move: a win is `+(empty cells before the winning move)`, so faster
/// wins score higher and slower losses lower; a draw is 0. A `Solver` must be used by one thread
/// at a time (``SolverCache`` lends each to one caller); it is `Sendable` only so that it can be
/// handed from one thread to the next.
public final class Solver: @unchecked Sendable {
    let geometry: BitboardGeometry
    let rule: Rule
    let table: TranspositionTable
    /// Positions visited, for benchmarks.
    public private(set) var nodes = 0
    /// When set, a search that runs past it stops; see ``aborted``.
    public var deadline: ContinuousClock.Instant?
    /// A search ran past ``deadline``. Its answers are meaningless and so is the table: throw the
    /// solver away.
    public private(set) var aborted = false

    /// Returns `nil` when the board has more than 64 cells.
    public init?(shape: BoardShape, rule: Rule = .standard, tableLog2Size: Int? = nil) {
        guard let geometry = BitboardGeometry(shape: shape) else { return nil }
        self.geometry = geometry
        self.rule = rule
        let size = tableLog2Size ?? (shape.cellCount <= 9 ? 12 : shape.cellCount <= 16 ? 18 : 20)
        table = TranspositionTable(log2Size: size)
    }

    /// Whether a board this size can be searched to the end within an interactive budget.
    ///
    /// Measured on one core of a 2-core machine (release build, empty board): standard 4×4 in
    /// 2 ms and 5×4 in 34 ms; misère lacks the standard rule's tactical cut-offs, so 4×4 takes
    /// 0.2 s and 5×4 more than a minute. Larger boards fall back to ``HeuristicSearch``.
    public static func canSolve(_ shape: BoardShape, rule: Rule = .standard) -> Bool {
        shape.cellCount <= (rule == .standard ? 20 : 16)
    }

    /// The value of the empty board.
    public func solveEmptyBoard() -> SolvedValue {
        let score = search(mine: 0, theirs: 0, empties: geometry.cellCount, alpha: -1, beta: 1)
        return score > 0 ? .firstPlayerWin : score < 0 ? .secondPlayerWin : .draw
    }

    /// The exact score of `state` for the player to move (see the type's discussion).
    public func score(of state: GameState) -> Int? {
        guard let (mine, theirs) = bitboards(of: state) else { return nil }
        return search(mine: mine, theirs: theirs, empties: state.emptyCells.count, alpha: -100, beta: 100)
    }

    /// Every move that keeps the best score available to the player to move, in board order;
    /// empty when the search ran past ``deadline``.
    public func bestMoves(in state: GameState) -> [Int] {
        guard let (mine, theirs) = bitboards(of: state) else { return [] }
        let empties = state.emptyCells.count
        var scored: [(move: Int, score: Int)] = []
        var best = -100
        for cell in geometry.moveOrder where (mine | theirs) & (1 << UInt64(cell)) == 0 {
            let stones = mine | (1 << UInt64(cell))
            let score: Int
            if geometry.completes(stones, at: cell) {
                score = rule == .standard ? empties : -empties
            } else if empties == 1 {
                score = 0
            } else {
                // Only ask whether this move reaches the best score so far; ties are kept.
                score = -search(mine: theirs, theirs: stones, empties: empties - 1, alpha: -100, beta: -(best - 1))
            }
            if score > best {
                best = score
                scored = [(cell, score)]
            } else if score == best {
                scored.append((cell, score))
            }
        }
        return aborted ? [] : scored.map(\.move).sorted()
    }

    private func bitboards(of state: GameState) -> (UInt64, UInt64)? {
        guard let next = state.next else { return nil }
        var mine: UInt64 = 0
        var theirs: UInt64 = 0
        for (index, seat) in state.cells.enumerated() {
            guard let seat else { continue }
            if seat == next { mine |= 1 << UInt64(index) } else { theirs |= 1 << UInt64(index) }
        }
        return (mine, theirs)
    }

    func search(mine: UInt64, theirs: UInt64, empties: Int, alpha: Int, beta: Int) -> Int {
        nodes += 1
        if aborted { return 0 }
        if nodes & 4095 == 0, let deadline, ContinuousClock.now >= deadline {
            aborted = true
            return 0
        }
        var alpha = alpha
        var beta = beta
        let occupied = mine | theirs
        var candidates = geometry.full & ~occupied

        if rule == .standard {
            if geometry.winningCells(for: mine, blockers: theirs) & candidates != 0 { return empties }
            let threats = geometry.winningCells(for: theirs, blockers: mine) & candidates
            if threats.nonzeroBitCount >= 2 { return -(empties - 1) }
            if threats != 0 { candidates = threats }
            // Mate-distance bounds: nothing beats winning on the next move of each side.
            alpha = max(alpha, -(empties - 1))
            beta = min(beta, empties - 2)
            var mineLive = false
            var theirsLive = false
            for window in geometry.windows {
                if window & theirs == 0 { mineLive = true }
                if window & mine == 0 { theirsLive = true }
                if mineLive && theirsLive { break }
            }
            if !mineLive && !theirsLive { return 0 }
            if !mineLive { beta = min(beta, 0) }
            if !theirsLive { alpha = max(alpha, 0) }
            if alpha >= beta { return alpha }
        }

        let key = geometry.canonical(mine, theirs)
        let originalAlpha = alpha
        if let entry = table.probe(key.0, key.1) {
            switch entry.bound {
            case .exact: return entry.value
            case .lower: alpha = max(alpha, entry.value)
            case .upper: beta = min(beta, entry.value)
            }
            if alpha >= beta { return entry.value }
        }

        var best = -100
        for cell in geometry.moveOrder where candidates & (1 << UInt64(cell)) != 0 {
            let stones = mine | (1 << UInt64(cell))
            let score: Int
            if geometry.completes(stones, at: cell) {
                score = rule == .standard ? empties : -empties
            } else if empties == 1 {
                score = 0
            } else {
                score = -search(mine: theirs, theirs: stones, empties: empties - 1, alpha: -beta, beta: -max(alpha, best))
            }
            if score > best {
                best = score
                if best >= beta { break }
            }
        }

        let bound: TranspositionTable.Bound =
            best <= originalAlpha ? .upper : best >= beta ? .lower : .exact
        table.store(key.0, key.1, value: best, bound: bound)
        return best
    }
}
