import Testing

@testable import Game

@Suite struct SolverTests {
    @Test(arguments: [
        (3, 3, 3, Rule.standard, SolvedValue.draw),
        (3, 4, 3, .standard, .firstPlayerWin),
        (4, 4, 3, .standard, .firstPlayerWin),
        (4, 4, 4, .standard, .draw),
        (3, 3, 3, .misere, .draw),
    ])
    func solvesKnownBoards(rows: Int, cols: Int, k: Int, rule: Rule, value: SolvedValue) throws {
        let shape = try BoardShape(rows: rows, cols: cols, winLength: k)
        let solver = try #require(Solver(shape: shape, rule: rule))
        #expect(solver.solveEmptyBoard() == value)
    }

    @Test func takesAnImmediateWin() throws {
        // X: 0, 1; O: 3, 4; X to move wins at 2.
        let game = try GameState(shape: .classic, replaying: [0, 3, 1, 4])
        let solver = try #require(Solver(shape: .classic))
        #expect(solver.bestMoves(in: game) == [2])
    }

    @Test func blocksTheOnlyThreat() throws {
        // X: 0, 8; O: 4, 1 threatens 7 (column 1-4-7).
        let game = try GameState(shape: .classic, replaying: [0, 4, 8, 1])
        let solver = try #require(Solver(shape: .classic))
        #expect(solver.bestMoves(in: game) == [7])
    }

    @Test func scoresFasterWinsHigher() throws {
        let game = try GameState(shape: .classic, replaying: [0, 3, 1, 4])
        let solver = try #require(Solver(shape: .classic))
        // Winning now with 5 empty cells scores 5.
        #expect(solver.score(of: game) == 5)
    }

    @Test func stopsAtItsDeadlineAndSaysSo() throws {
        let shape = try BoardShape(rows: 5, cols: 4, winLength: 4)
        let solver = try #require(Solver(shape: shape, rule: .misere))
        solver.deadline = .now
        #expect(solver.bestMoves(in: GameState(shape: shape, rule: .misere)) == [])
        #expect(solver.aborted)
    }

    @Test func misereBoardsSolvableInTimeAreSmaller() throws {
        let shape = try BoardShape(rows: 5, cols: 4, winLength: 4)
        #expect(Solver.canSolve(shape, rule: .standard))
        #expect(!Solver.canSolve(shape, rule: .misere))
    }

    @Test func refusesBoardsOverSixtyFourCells() throws {
        #expect(Solver(shape: try BoardShape(rows: 9, cols: 9, winLength: 5)) == nil)
    }
}
