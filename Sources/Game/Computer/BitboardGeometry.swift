/// Precomputed masks for a board of at most 64 cells: every winning window, the windows through
/// each cell, the board's symmetries and a centre-first move order.
///
/// Built once per ``BoardShape`` and ``Rule``; immutable afterwards, so it is safe to share.
final class BitboardGeometry: Sendable {
    static let maximumCells = 64

    let shape: BoardShape
    let cellCount: Int
    let full: UInt64
    let windows: [UInt64]
    let windowsThroughCell: [[UInt64]]
    /// Cells ordered from the centre outwards, the usual best first guess.
    let moveOrder: [Int]
    /// Each symmetry as a permutation: `symmetries[s][cell]` is where `cell` goes.
    let symmetries: [[Int]]
    /// `byteTables[s][byte * 256 + value]`: the image under symmetry `s` of `value` placed at `byte`.
    private let byteTables: [[UInt64]]

    init?(shape: BoardShape) {
        guard shape.cellCount <= Self.maximumCells else { return nil }
        self.shape = shape
        cellCount = shape.cellCount
        full = cellCount == 64 ? ~0 : (UInt64(1) << UInt64(cellCount)) - 1

        var windows: [UInt64] = []
        for row in 0..<shape.rows {
            for col in 0..<shape.cols {
                for (dr, dc) in [(0, 1), (1, 0), (1, 1), (1, -1)] {
                    let endRow = row + dr * (shape.winLength - 1)
                    let endCol = col + dc * (shape.winLength - 1)
                    guard shape.contains(row: endRow, col: endCol) else { continue }
                    var mask: UInt64 = 0
                    for step in 0..<shape.winLength {
                        mask |= 1 << UInt64(shape.index(row: row + dr * step, col: col + dc * step))
                    }
                    windows.append(mask)
                }
            }
        }
        self.windows = windows
        windowsThroughCell = (0..<shape.cellCount).map { cell in
            windows.filter { $0 & (1 << UInt64(cell)) != 0 }
        }

        let centreRow = Double(shape.rows - 1) / 2
        let centreCol = Double(shape.cols - 1) / 2
        let windowCounts = (0..<shape.cellCount).map { cell in
            windows.reduce(0) { $0 + ($1 & (1 << UInt64(cell)) != 0 ? 1 : 0) }
        }
        moveOrder = (0..<shape.cellCount).sorted { a, b in
            if windowCounts[a] != windowCounts[b] { return windowCounts[a] > windowCounts[b] }
            let (ar, ac) = shape.position(of: a)
            let (br, bc) = shape.position(of: b)
            let da = abs(Double(ar) - centreRow) + abs(Double(ac) - centreCol)
            let db = abs(Double(br) - centreRow) + abs(Double(bc) - centreCol)
            return da != db ? da < db : a < b
        }

        var maps: [(Int, Int) -> (Int, Int)] = [
            { r, c in (r, c) },
            { r, c in (r, shape.cols - 1 - c) },
            { r, c in (shape.rows - 1 - r, c) },
            { r, c in (shape.rows - 1 - r, shape.cols - 1 - c) },
        ]
        if shape.rows == shape.cols {
            let n = shape.rows - 1
            maps += [{ r, c in (c, r) }, { r, c in (n - c, n - r) }, { r, c in (c, n - r) }, { r, c in (n - c, r) }]
        }
        symmetries = maps.map { map in
            (0..<shape.cellCount).map { cell in
                let (r, c) = shape.position(of: cell)
                let (tr, tc) = map(r, c)
                return shape.index(row: tr, col: tc)
            }
        }
        byteTables = symmetries.map { perm in
            var table = [UInt64](repeating: 0, count: 8 * 256)
            for byte in 0..<8 {
                for value in 0..<256 {
                    var image: UInt64 = 0
                    for bit in 0..<8 where value & (1 << bit) != 0 {
                        let cell = byte * 8 + bit
                        if cell < perm.count { image |= 1 << UInt64(perm[cell]) }
                    }
                    table[byte * 256 + value] = image
                }
            }
            return table
        }
    }

    @inline(__always)
    func transform(_ bits: UInt64, by symmetry: Int) -> UInt64 {
        let table = byteTables[symmetry]
        var image: UInt64 = 0
        var rest = bits
        var byte = 0
        while rest != 0 {
            image |= table[byte * 256 + Int(rest & 0xFF)]
            rest >>= 8
            byte += 1
        }
        return image
    }

    /// The smallest image of the position under the board's symmetries: equal for symmetric positions.
    @inline(__always)
    func canonical(_ mine: UInt64, _ theirs: UInt64) -> (UInt64, UInt64) {
        var best = (mine, theirs)
        for s in 1..<symmetries.count {
            let m = transform(mine, by: s)
            if m > best.0 { continue }
            let t = transform(theirs, by: s)
            if m < best.0 || t < best.1 { best = (m, t) }
        }
        return best
    }

    @inline(__always)
    func completes(_ stones: UInt64, at cell: Int) -> Bool {
        for window in windowsThroughCell[cell] where stones & window == window { return true }
        return false
    }

    /// Empty cells that would complete a line for `stones`, given the other side's `blockers`.
    @inline(__always)
    func winningCells(for stones: UInt64, blockers: UInt64) -> UInt64 {
        var cells: UInt64 = 0
        let needed = shape.winLength - 1
        for window in windows where blockers & window == 0 && (stones & window).nonzeroBitCount == needed {
            cells |= window & ~stones
        }
        return cells
    }
}
