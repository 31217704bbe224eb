public import Game
import Locking
import NIOPosix
import ServiceLifecycle

/// Runs the computer's searches on threads of their own, never on the server's event loops or
/// Swift's cooperative pool, with a bounded queue in front.
///
/// At most `threads + capacity` searches are admitted at once; one more is refused at once with
/// ``Busy`` rather than waiting, so a burst of computer games cannot pile up behind slow searches.
public final class ComputerMoveQueue: Service, Sendable {
    /// The queue is full; answered with 503 `busy`.
    public struct Busy: Error {}

    private let pool: NIOThreadPool
    private let admitted = Mutex(0)
    private let limit: Int

    public init(threads: Int, capacity: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        limit = threads + capacity
    }

    /// The computer's move in `state`, or `nil` when the game is over.
    public func move(in state: GameState, by player: ComputerPlayer) async throws -> Int? {
        let entered = admitted.withLock { count in
            guard count < limit else { return false }
            count += 1
            return true
        }
        guard entered else { throw Busy() }
        defer { admitted.withLock { $0 -= 1 } }
        return try await pool.runIfActive {
            var rng = SystemRandomNumberGenerator()
            return player.move(in: state, using: &rng)
        }
    }

    /// Searches admitted and not yet answered.
    public var load: Int { admitted.withLock { $0 } }

    /// Waits for graceful shutdown, then lets running searches finish and stops the threads.
    public func run() async throws {
        try? await gracefulShutdown()
        try await pool.shutdownGracefully()
    }
}
