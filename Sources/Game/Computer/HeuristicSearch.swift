/// Iterative-deepening negamax with alpha-beta over a window-count evaluation, for boards too
/// large to solve exactly. Looks only at empty cells near existing stones and, below the root,
/// only at the most promising of them.
struct HeuristicSearch {
    let shape: BoardShape
    let rule: Rule
    /// Cells of every winning window.
    private let windows: [[Int]]
    /// Indices into `windows` of the windows through each cell.
    private let windowsThroughCell: [[Int]]
    /// `weights[n]`: the value of holding `n` cells of an otherwise unblocked window.
    private let weights: [Int]
    private let beamWidth = 10
    private static let winScore = 1_000_000_000

    init(shape: BoardShape, rule: Rule) {
        self.shape = shape
        self.rule = rule
        var windows: [[Int]] = []
        for row in 0..<shape.rows {
            for col in 0..<shape.cols {
                for (dr, dc) in [(0, 1), (1, 0), (1, 1), (1, -1)] {
                    guard shape.contains(row: row + dr * (shape.winLength - 1), col: col + dc * (shape.winLength - 1))
                    else { continue }
                    windows.append((0..<shape.winLength).map { shape.index(row: row + dr * $0, col: col + dc * $0) })
                }
            }
        }
        self.windows = windows
        var through = [[Int]](repeating: [], count: shape.cellCount)
        for (w, cells) in windows.enumerated() { for cell in cells { through[cell].append(w) } }
        windowsThroughCell = through
        var weights = [0]
        for n in 1...shape.winLength { weights.append(n == shape.winLength ? Self.winScore / 1000 : 1 << (3 * n)) }
        self.weights = weights
    }

    /// The best move found by searching `maxDepth` plies, or as deep as `deadline` allows.
    /// Always returns a legal move for a game in play.
    func bestMove(
        in state: GameState,
        maxDepth: Int,
        deadline: ContinuousClock.Instant?,
        using rng: inout some RandomNumberGenerator
    ) -> Int? {
        guard let me = state.next else { return nil }
        var board = state.cells.map { $0.map { Int8($0.rawValue + 1) } ?? 0 }
        let mine = Int8(me.rawValue + 1)
        let candidates = orderedCandidates(board, mover: mine)
        guard var best = candidates.first else { return nil }
        if candidates.count == 1 { return best }

        var depth = 1
        while depth <= maxDepth {
            var alpha = -Self.winScore * 2
            var depthBest: [Int] = []
            var aborted = false
            for cell in candidates {
                board[cell] = mine
                var score = 0
                if completes(board, at: cell) {
                    score = rule == .standard ? Self.winScore : -Self.winScore
                } else if !board.contains(0) {
                    score = 0
                } else if let child = search(
                    &board,
                    mover: 3 - mine,
                    depth: depth - 1,
                    alpha: -Self.winScore * 2,
                    beta: -alpha + 1,
                    deadline: deadline
                ) {
                    score = -child
                } else {
                    aborted = true
                }
                board[cell] = 0
                if aborted { break }
                if score > alpha {
                    alpha = score
                    depthBest = [cell]
                } else if score == alpha {
                    depthBest.append(cell)
                }
            }
            if aborted { break }
            if let pick = depthBest.randomElement(using: &rng) { best = pick }
            if alpha >= Self.winScore / 2 || alpha <= -Self.winScore / 2 { break }
            depth += 1
        }
        return best
    }

    /// Negamax from `mover`'s side; `nil` when the deadline passed.
    private func search(_ board: inout [Int8], mover: Int8, depth: Int, alpha: Int, beta: Int, deadline: ContinuousClock.Instant?) -> Int? {
        if let deadline, ContinuousClock.now >= deadline { return nil }
        if depth == 0 { return evaluate(board, for: mover) }
        var alpha = alpha
        var best = -Self.winScore * 2
        for cell in orderedCandidates(board, mover: mover).prefix(beamWidth) {
            board[cell] = mover
            var score: Int?
            if completes(board, at: cell) {
                score = (rule == .standard ? Self.winScore : -Self.winScore) + depth
            } else if !board.contains(0) {
                score = 0
            } else if let child = search(&board, mover: 3 - mover, depth: depth - 1, alpha: -beta, beta: -alpha, deadline: deadline) {
                score = -child
            }
            board[cell] = 0
            guard let score else { return nil }
            best = max(best, score)
            alpha = max(alpha, score)
            if alpha >= beta { break }
        }
        return best
    }

    private func completes(_ board: [Int8], at cell: Int) -> Bool {
        let stone = board[cell]
        for w in windowsThroughCell[cell] where windows[w].allSatisfy({ board[$0] == stone }) { return true }
        return false
    }

    /// Sum over unblocked windows of their weight, from `mover`'s side.
    func evaluate(_ board: [Int8], for mover: Int8) -> Int {
        var score = 0
        for cells in windows {
            var own = 0
            var other = 0
            for cell in cells {
                let stone = board[cell]
                if stone == mover { own += 1 } else if stone != 0 { other += 1 }
            }
            if other == 0 { score += weights[own] } else if own == 0 { score -= weights[other] }
        }
        return rule == .standard ? score : -score
    }

    /// Empty cells within two steps of a stone (the centre on an empty board), most urgent first:
    /// a cell that wins, then one that blocks a win, then by attack plus defence value.
    func orderedCandidates(_ board: [Int8], mover: Int8) -> [Int] {
        var near = [Bool](repeating: false, count: board.count)
        var anyStone = false
        for (index, stone) in board.enumerated() where stone != 0 {
            anyStone = true
            let (row, col) = shape.position(of: index)
            for r in max(0, row - 2)...min(shape.rows - 1, row + 2) {
                for c in max(0, col - 2)...min(shape.cols - 1, col + 2) { near[shape.index(row: r, col: c)] = true }
            }
        }
        if !anyStone { return [shape.index(row: shape.rows / 2, col: shape.cols / 2)] }
        var scored: [(cell: Int, value: Int)] = []
        for cell in board.indices where board[cell] == 0 && near[cell] {
            var attack = 0
            var defence = 0
            for w in windowsThroughCell[cell] {
                var own = 0
                var other = 0
                for c in windows[w] {
                    let stone = board[c]
                    if stone == mover { own += 1 } else if stone != 0 { other += 1 }
                }
                if other == 0 { attack += own + 1 == shape.winLength ? Self.winScore : weights[own + 1] - weights[own] }
                if own == 0 { defence += other + 1 == shape.winLength ? Self.winScore / 2 : weights[other + 1] - weights[other] }
            }
            let value = rule == .standard ? attack + defence : -(attack + defence)
            scored.append((cell, value))
        }
        scored.sort { $0.value != $1.value ? $0.value > $1.value : $0.cell < $1.cell }
        return scored.map(\.cell)
    }
}
