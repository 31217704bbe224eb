import Locking

/// The number of open connections, against a cap shared by every event loop.
public final class ConnectionCounter: Sendable {
    public let limit: Int
    private let open = Mutex(0)

    public init(limit: Int) {
        self.limit = limit
    }

    /// Counts one more connection; `false` (and nothing counted) when `limit` are open.
    func admit() -> Bool {
        open.withLock { open in
            guard open < limit else { return false }
            open += 1
            return true
        }
    }

    func release() {
        open.withLock { $0 -= 1 }
    }

    public var count: Int { open.withLock { $0 } }
}
