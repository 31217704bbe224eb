import Testing

@testable import Game

@Suite struct ComputerPlayerTests {
    /// Plays every possible line of the human against the computer and reports any the human wins.
    func humanWins(against computer: ComputerPlayer, computerSeat: Seat, shape: BoardShape, rule: Rule = .standard) -> Int {
        var rng = SplitMix64(seed: 7)
        var losses = 0
        func explore(_ state: GameState) {
            switch state.outcome {
            case .won(let winner, _):
                if winner != computerSeat { losses += 1 }
            case .draw:
                return
            case .playing(let next) where next == computerSeat:
                var copy = state
                guard let move = computer.move(in: state, using: &rng), (try? copy.play(move)) != nil else {
                    losses += 1
                    return
                }
                explore(copy)
            case .playing:
                for cell in state.emptyCells {
                    var copy = state
                    try? copy.play(cell)
                    explore(copy)
                }
            }
        }
        explore(GameState(shape: shape, rule: rule))
        return losses
    }

    @Test(arguments: [Seat.first, .second])
    func perfectNeverLosesOnThreeByThree(seat: Seat) {
        #expect(humanWins(against: ComputerPlayer(level: .perfect), computerSeat: seat, shape: .classic) == 0)
    }

    @Test(arguments: [Seat.first, .second])
    func perfectNeverLosesMisere(seat: Seat) {
        #expect(humanWins(against: ComputerPlayer(level: .perfect), computerSeat: seat, shape: .classic, rule: .misere) == 0)
    }

    @Test func easyCanBeBeatenBySimpleLines() {
        #expect(humanWins(against: ComputerPlayer(level: .easy), computerSeat: .second, shape: .classic) > 100)
    }

    @Test func normalTakesWinsAndBlocks() throws {
        var rng = SplitMix64(seed: 1)
        let normal = ComputerPlayer(level: .normal)
        // O (computer, to move) can win at 5 (3-4-5) and must not prefer blocking X at 2.
        let winning = try GameState(shape: .classic, replaying: [0, 3, 1, 4, 8])
        #expect(normal.move(in: winning, using: &rng) == 5)
        // X threatens 0-1-2; O must block at 2.
        let blocking = try GameState(shape: .classic, replaying: [0, 4, 1])
        #expect(normal.move(in: blocking, using: &rng) == 2)
    }

    @Test func perfectOnALargeBoardBlocksAnOpenFour() throws {
        let shape = try BoardShape(rows: 15, cols: 15, winLength: 5)
        // X has four in row 7 (cols 5...8); O's stones are far away. O must block at col 4 or 9.
        var moves: [Int] = []
        for step in 0..<4 {
            moves.append(shape.index(row: 7, col: 5 + step))
            moves.append(shape.index(row: 0, col: step * 2))
        }
        moves.removeLast()
        let state = try GameState(shape: shape, replaying: moves)
        #expect(state.next == .second)
        var rng = SplitMix64(seed: 3)
        let player = ComputerPlayer(level: .perfect, thinkTime: .milliseconds(100))
        let move = try #require(player.move(in: state, using: &rng))
        #expect([shape.index(row: 7, col: 4), shape.index(row: 7, col: 9)].contains(move))
    }

    @Test func perfectStillAnswersOnAMisereBoardTooLargeToSolve() throws {
        let shape = try BoardShape(rows: 5, cols: 4, winLength: 4)
        var state = GameState(shape: shape, rule: .misere)
        var rng = SplitMix64(seed: 9)
        let player = ComputerPlayer(level: .perfect, thinkTime: .milliseconds(30))
        for _ in 0..<3 {
            let move = try #require(player.move(in: state, using: &rng))
            try state.play(move)
        }
        #expect(state.moves.count == 3)
    }

    @Test func returnsNilWhenTheGameIsOver() throws {
        var rng = SplitMix64(seed: 1)
        let over = try GameState(shape: .classic, replaying: [0, 3, 1, 4, 2])
        #expect(ComputerPlayer(level: .perfect).move(in: over, using: &rng) == nil)
    }

    @Test func everyLevelPlaysLegalMovesOnEveryShape() throws {
        var rng = SplitMix64(seed: 11)
        for (rows, cols, k) in [(3, 3, 3), (4, 5, 4), (8, 8, 5)] {
            let shape = try BoardShape(rows: rows, cols: cols, winLength: k)
            for level in Level.allCases {
                var state = GameState(shape: shape)
                let player = ComputerPlayer(level: level, thinkTime: .milliseconds(20))
                var plies = 0
                while !state.isOver && plies < 6 {
                    let move = try #require(player.move(in: state, using: &rng))
                    try state.play(move)
                    plies += 1
                }
            }
        }
    }
}
