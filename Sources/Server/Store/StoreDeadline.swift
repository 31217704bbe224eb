import Locking

/// Runs `body`, giving up after `limit`: a backend that stopped answering yields a 503 in bounded
/// time instead of a request that hangs.
///
/// The caller is answered when `body` finishes or when ``DeadlineWatchdog`` finds the deadline
/// passed (within its tick), whichever is first; `body` is then cancelled and left to end on its
/// own. Costs one task per call and no timer: one watchdog serves every deadline in the process.
@discardableResult
package func withStoreDeadline<T: Sendable>(
    _ limit: Duration,
    _ what: String,
    _ body: @escaping @Sendable () async throws -> T
) async throws(StoreError) -> T {
    let answer = OneAnswer<T>()
    let result: Result<T, StoreError> = await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            answer.start(continuation)
            let task = Task {
                do {
                    answer.give(.success(try await body()))
                } catch let error as StoreError {
                    answer.give(.failure(error))
                } catch {
                    answer.give(.failure(StoreError("\(what): \(error)")))
                }
            }
            let ticket = DeadlineWatchdog.shared.watch(until: .now + limit) {
                answer.give(.failure(StoreError("\(what) did not answer within \(limit.milliseconds) ms")))
                task.cancel()
            }
            answer.onAnswer { DeadlineWatchdog.shared.forget(ticket) }
            answer.cancelTask = { task.cancel() }
        }
    } onCancel: {
        answer.give(.failure(StoreError("\(what): the request was cancelled")))
    }
    return try result.get()
}

/// The first of several possible answers, given once to a continuation.
private final class OneAnswer<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<T, StoreError>, Never>?
        var early: Result<T, StoreError>?
        var answered = false
        var onAnswer: (@Sendable () -> Void)?
        var cancelTask: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<Result<T, StoreError>, Never>) {
        let early: Result<T, StoreError>? = state.withLock { s in
            guard let early = s.early else {
                s.continuation = continuation
                return nil
            }
            return early
        }
        if let early { continuation.resume(returning: early) }
    }

    var cancelTask: (@Sendable () -> Void)? {
        get { state.withLock { $0.cancelTask } }
        set {
            let answered = state.withLock { s in
                s.cancelTask = newValue
                return s.answered
            }
            if answered { newValue?() }
        }
    }

    func onAnswer(_ action: @escaping @Sendable () -> Void) {
        let answered = state.withLock { s in
            s.onAnswer = action
            return s.answered
        }
        if answered { action() }
    }

    func give(_ result: Result<T, StoreError>) {
        let (continuation, onAnswer, cancel): (CheckedContinuation<Result<T, StoreError>, Never>?, (@Sendable () -> Void)?, (@Sendable () -> Void)?) =
            state.withLock { s in
                guard !s.answered else { return (nil, nil, nil) }
                s.answered = true
                if s.continuation == nil { s.early = result }
                let continuation = s.continuation
                s.continuation = nil
                return (continuation, s.onAnswer, s.cancelTask)
            }
        continuation?.resume(returning: result)
        onAnswer?()
        if case .failure = result { cancel?() }
    }
}

/// One task for every store deadline in the process: every ``tick`` it runs the actions of the
/// deadlines that passed. Watching and forgetting are a lock and a dictionary entry each.
final class DeadlineWatchdog: Sendable {
    static let shared = DeadlineWatchdog()
    static let tick = Duration.milliseconds(50)

    private struct Watched {
        var next = 0
        var entries: [Int: (deadline: ContinuousClock.Instant, action: @Sendable () -> Void)] = [:]
        var running = false
    }
    private let watched = Mutex(Watched())

    /// Runs `action` once `deadline` has passed, unless forgotten first.
    func watch(until deadline: ContinuousClock.Instant, _ action: @escaping @Sendable () -> Void) -> Int {
        let (ticket, start) = watched.withLock { w in
            w.next += 1
            w.entries[w.next] = (deadline, action)
            let start = !w.running
            w.running = true
            return (w.next, start)
        }
        if start {
            Task.detached { await self.run() }
        }
        return ticket
    }

    func forget(_ ticket: Int) {
        _ = watched.withLock { $0.entries.removeValue(forKey: ticket) }
    }

    /// Ticks while anything is watched, then ends (the next `watch` starts it again).
    private func run() async {
        while true {
            try? await Task.sleep(for: Self.tick)
            let now = ContinuousClock.now
            let (due, keepRunning) = watched.withLock { w -> ([@Sendable () -> Void], Bool) in
                let due = w.entries.filter { $0.value.deadline <= now }
                for key in due.keys { w.entries[key] = nil }
                if w.entries.isEmpty { w.running = false }
                return (due.values.map(\.action), w.running)
            }
            for action in due { action() }
            if !keepRunning { return }
        }
    }
}

extension Duration {
    package var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
