import Synchronization

/// The number of open connections, against a cap shared by every event loop.
public final class ConnectionCounter: Sendable {
    public let limit: Int
    private let open = Atomic<Int>(0)

    public init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more connection; `false` (and nothing counted) when `limit` are open.
    func admit() -> Bool {
        var current = open.load(ordering: .relaxed)
        while current < limit {
            let (exchanged, original) = open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed)
            if exchanged { return true }
            current = original
        }
        return false
    }

    func release() {
        open.subtract(1, ordering: .relaxed)
    }

    public var count: Int { open.load(ordering: .relaxed) }
}
