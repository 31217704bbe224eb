import ArgumentParser
import Game

struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the value of the empty board under perfect play, and the time taken.",
        discussion: "Prints first-player-win, draw or second-player-win. Boards of up to 64 cells."
    )

    @Option(help: "Rows, \(BoardShape.sideRange.lowerBound) to \(BoardShape.sideRange.upperBound).") var rows: Int
    @Option(help: "Columns, \(BoardShape.sideRange.lowerBound) to \(BoardShape.sideRange.upperBound).") var cols: Int
    @Option(help: "Stones in a row that complete a line.") var win: Int
    @Option(help: "standard or misere.") var rule: String = "standard"

    func validate() throws {
        do {
            let shape = try BoardShape(rows: rows, cols: cols, winLength: win)
            guard shape.cellCount <= 64 else {
                throw ValidationError("the solver handles boards of up to 64 cells; \(rows)×\(cols) has \(shape.cellCount)")
            }
        } catch let error as ShapeError {
            throw ValidationError(error.description)
        }
        guard Rule(rawValue: rule) != nil else { throw ValidationError("--rule must be standard or misere, not \(rule)") }
    }

    func run() throws {
        guard let shape = try? BoardShape(rows: rows, cols: cols, winLength: win), let rule = Rule(rawValue: rule),
            let solver = Solver(shape: shape, rule: rule, tableLog2Size: 22)
        else { throw ExitCode.validationFailure }
        let clock = ContinuousClock()
        var value = SolvedValue.draw
        let elapsed = clock.measure { value = solver.solveEmptyBoard() }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let time = (seconds * 1000).rounded() / 1000
        print("\(value.rawValue) (\(rows)×\(cols), \(win) in a row, \(rule.rawValue); \(time) s; \(solver.nodes) positions)")
    }
}
