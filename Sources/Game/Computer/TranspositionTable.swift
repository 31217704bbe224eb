/// A fixed-size, always-replace hash table of search results keyed by canonical position.
///
/// Not thread-safe: each search owns its table.
final class TranspositionTable {
    enum Bound: UInt8 {
        case exact = 1
        case lower, upper
    }

    private struct Entry {
        var mine: UInt64
        var theirs: UInt64
        var value: Int8
        var bound: UInt8
    }

    private let entries: UnsafeMutableBufferPointer<Entry>
    private let mask: Int

    /// - Parameter log2Size: the table holds `2^log2Size` entries of 24 bytes.
    init(log2Size: Int) {
        let count = 1 << log2Size
        entries = .allocate(capacity: count)
        entries.initialize(repeating: Entry(mine: 0, theirs: 0, value: 0, bound: 0))
        mask = count - 1
    }

    deinit { entries.deallocate() }

    @inline(__always)
    private func slot(_ mine: UInt64, _ theirs: UInt64) -> Int {
        let h = (mine &* 0x9E37_79B9_7F4A_7C15) ^ (theirs &* 0xC2B2_AE3D_27D4_EB4F)
        return Int(truncatingIfNeeded: (h ^ (h >> 29))) & mask
    }

    @inline(__always)
    func probe(_ mine: UInt64, _ theirs: UInt64) -> (value: Int, bound: Bound)? {
        let entry = entries[slot(mine, theirs)]
        guard entry.bound != 0, entry.mine == mine, entry.theirs == theirs,
            let bound = Bound(rawValue: entry.bound)
        else { return nil }
        return (Int(entry.value), bound)
    }

    @inline(__always)
    func store(_ mine: UInt64, _ theirs: UInt64, value: Int, bound: Bound) {
        entries[slot(mine, theirs)] = Entry(mine: mine, theirs: theirs, value: Int8(value), bound: bound.rawValue)
    }
}
