import Locking

/// The store's readiness as `/readyz` reports it: the outcome of the last health check, checked
/// again at most once per `refresh` however often it is asked. Probes that arrive while a check
/// runs wait for that check instead of starting their own, so no rate of probes reaches the
/// database more than once per `refresh` (a paused Aurora stays paused).
final class StoreReadiness: Sendable {
    private let store: any GameStore
    private let refresh: Duration
    private let state = Mutex(State())

    private struct State {
        var checkedAt: ContinuousClock.Instant?
        var failure: StoreError?
        var running: Task<StoreError?, Never>?
    }

    init(store: any GameStore, refresh: Duration = .seconds(2)) {
        self.store = store
        self.refresh = refresh
    }

    /// Why the store is not ready, or `nil` when it is, as of at most `refresh` ago.
    func failure() async -> StoreError? {
        let now = ContinuousClock.now
        let check = state.withLock { state -> Task<StoreError?, Never>? in
            if let checkedAt = state.checkedAt, now - checkedAt < refresh { return nil }
            if let running = state.running { return running }
            let store = self.store
            let task = Task<StoreError?, Never> { await Self.check(store) }
            state.running = task
            return task
        }
        guard let check else { return state.withLock { $0.failure } }
        let failure = await check.value
        state.withLock { state in
            state.checkedAt = ContinuousClock.now
            state.failure = failure
            state.running = nil
        }
        return failure
    }

    private static func check(_ store: any GameStore) async -> StoreError? {
        do throws(StoreError) {
            try await store.checkHealth()
            return nil
        } catch {
            return error
        }
    }
}
