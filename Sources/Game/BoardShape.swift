/// The geometry of a board: `rows` × `cols` cells and the run length that completes a line.
///
/// A `BoardShape` is always valid: rows and columns lie in ``sideRange`` and the win length in
/// `3...max(rows, cols)`. Cells are addressed row-major from 0: `index = row * cols + col`.
public struct BoardShape: Hashable, Sendable, CustomStringConvertible {
    /// The sides a board may have.
    public static let sideRange: ClosedRange<Int> = 3...20
    /// The shortest line that can win.
    public static let minimumWinLength = 3

    public let rows: Int
    public let cols: Int
    public let winLength: Int

    public init(rows: Int, cols: Int, winLength: Int) throws(ShapeError) {
        guard Self.sideRange.contains(rows) else { throw .rowsOutOfRange(rows) }
        guard Self.sideRange.contains(cols) else { throw .colsOutOfRange(cols) }
        guard (Self.minimumWinLength...max(rows, cols)).contains(winLength) else {
            throw .winLengthOutOfRange(winLength, longestSide: max(rows, cols))
        }
        self.rows = rows
        self.cols = cols
        self.winLength = winLength
    }

    /// The seed's board: 3 × 3, three in a row.
    public static let classic = BoardShape(uncheckedRows: 3, cols: 3, winLength: 3)

    init(uncheckedRows rows: Int, cols: Int, winLength: Int) {
        self.rows = rows
        self.cols = cols
        self.winLength = winLength
    }

    public var cellCount: Int { rows * cols }

    public func contains(row: Int, col: Int) -> Bool {
        (0..<rows).contains(row) && (0..<cols).contains(col)
    }

    public func index(row: Int, col: Int) -> Int { row * cols + col }

    public func position(of index: Int) -> (row: Int, col: Int) { (index / cols, index % cols) }

    public var description: String { "\(rows)×\(cols), \(winLength) in a row" }
}

/// Why a ``BoardShape`` could not be made.
public enum ShapeError: Error, Equatable, Sendable, CustomStringConvertible {
    case rowsOutOfRange(Int)
    case colsOutOfRange(Int)
    case winLengthOutOfRange(Int, longestSide: Int)

    public var description: String {
        switch self {
        case .rowsOutOfRange(let rows):
            "rows must be from \(BoardShape.sideRange.lowerBound) to \(BoardShape.sideRange.upperBound), not \(rows)"
        case .colsOutOfRange(let cols):
            "cols must be from \(BoardShape.sideRange.lowerBound) to \(BoardShape.sideRange.upperBound), not \(cols)"
        case .winLengthOutOfRange(let k, let longest):
            "win length must be from \(BoardShape.minimumWinLength) to \(longest) (the board's longer side), not \(k)"
        }
    }
}
