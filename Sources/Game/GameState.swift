/// A game of m,n,k: the board, whose turn it is, the whole history and the outcome.
///
/// A value type: every accepted move produces a new state, and a refused move leaves the state
/// untouched. ``version`` counts the moves and a forfeit, so it grows by one with each.
public struct GameState: Hashable, Sendable {
    public let shape: BoardShape
    public let rule: Rule
    /// Row-major cells; `nil` is empty.
    public private(set) var cells: [Seat?]
    /// Every accepted move, in order.
    public private(set) var moves: [Int]
    public private(set) var outcome: Outcome
    /// How the game ended off the board, if it did: the other seat won.
    public private(set) var forfeit: Forfeit?

    public init(shape: BoardShape, rule: Rule = .standard) {
        self.shape = shape
        self.rule = rule
        self.cells = Array(repeating: nil, count: shape.cellCount)
        self.moves = []
        self.outcome = .playing(next: .first)
    }

    /// Replays `moves` from the empty board, then the forfeit if there was one; throws the
    /// first refusal.
    public init(shape: BoardShape, rule: Rule = .standard, replaying moves: [Int], forfeit: Forfeit? = nil) throws(MoveError) {
        self.init(shape: shape, rule: rule)
        for move in moves { try play(move) }
        switch forfeit {
        case .resigned(let seat): try resign(seat)
        case .timedOut(let seat): try timeOut(seat)
        case nil: break
        }
    }

    public var version: Int { moves.count + (forfeit == nil ? 0 : 1) }
    /// The seat that resigned, which ended the game.
    public var resigned: Seat? { forfeit?.resigned }
    /// The seat whose turn clock ran out, which ended the game.
    public var timedOut: Seat? { forfeit?.timedOut }
    /// The seat to move; `nil` once the game is over.
    public var next: Seat? { outcome.nextSeat }
    public var isOver: Bool { outcome.isOver }
    public var emptyCells: [Int] { cells.indices.filter { cells[$0] == nil } }

    /// Checks `index` as the next move without playing it.
    public func validate(_ index: Int, by seat: Seat? = nil) throws(MoveError) {
        guard case .playing(let next) = outcome else { throw .gameOver(outcome) }
        if let seat, seat != next { throw .notYourTurn(next: next) }
        guard cells.indices.contains(index) else {
            throw .outsideBoard(index: index, cellCount: cells.count)
        }
        if let owner = cells[index] { throw .cellTaken(index: index, by: owner) }
    }

    /// Plays `index` for the player whose turn it is (or for `seat`, which must be that player).
    public mutating func play(_ index: Int, by seat: Seat? = nil) throws(MoveError) {
        try validate(index, by: seat)
        guard let mover = next else { throw .gameOver(outcome) }
        cells[index] = mover
        moves.append(index)
        if let line = completedLine(through: index) {
            outcome = .won(winner: rule == .standard ? mover : mover.opponent, line: line)
        } else if moves.count == cells.count {
            outcome = .draw
        } else {
            outcome = .playing(next: mover.opponent)
        }
    }

    /// `seat` gives up: the other seat wins, whoever's turn it was. A finished game cannot be
    /// resigned.
    public mutating func resign(_ seat: Seat) throws(MoveError) {
        guard case .playing = outcome else { throw .gameOver(outcome) }
        forfeit = .resigned(seat)
        outcome = .won(winner: seat.opponent, line: [])
    }

    /// `seat`, the seat to move, let its turn clock run out: the other seat wins. Only the seat
    /// to move can time out, and only while the game is on.
    public mutating func timeOut(_ seat: Seat) throws(MoveError) {
        guard case .playing(let next) = outcome else { throw .gameOver(outcome) }
        guard seat == next else { throw .notYourTurn(next: next) }
        forfeit = .timedOut(seat)
        outcome = .won(winner: seat.opponent, line: [])
    }

    /// The run of at least `winLength` same-seat cells through `index`, looking only at the four
    /// lines that pass through it.
    func completedLine(through index: Int) -> [Int]? {
        guard let seat = cells[index] else { return nil }
        let (row, col) = shape.position(of: index)
        for (dr, dc) in [(0, 1), (1, 0), (1, 1), (1, -1)] {
            var run = [index]
            for sign in [-1, 1] {
                var r = row + sign * dr
                var c = col + sign * dc
                while shape.contains(row: r, col: c), cells[shape.index(row: r, col: c)] == seat {
                    run.append(shape.index(row: r, col: c))
                    r += sign * dr
                    c += sign * dc
                }
            }
            if run.count >= shape.winLength { return run.sorted() }
        }
        return nil
    }
}
