/// Runs `body`, giving up after `limit`: a backend that stopped answering yields a 503 in bounded
/// time instead of a request that hangs. The body is cancelled when the limit passes.
@discardableResult
func withStoreDeadline<T: Sendable>(
    _ limit: Duration, _ what: String, _ body: @escaping @Sendable () async throws -> T
) async throws(StoreError) -> T {
    do {
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw StoreError("\(what) did not answer within \(limit.milliseconds) ms")
            }
            return value
        }
    } catch let error as StoreError {
        throw error
    } catch {
        throw StoreError("\(what): \(error)")
    }
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
