import Config
import HummingbirdTesting
import Locking
import Logging
import Testing

@testable import Server

/// A store that cannot be reached answers every client with the same fixed words and a request
/// id; its own text goes to the log under that id; probes reach it at most once per refresh.
@Suite struct StoreReadinessTests {
    static let cause = "connection to db.internal:5432 refused: password authentication failed for user \"app_admin\""

    /// Fails every operation with ``cause`` and counts health checks.
    final class UnreachableStore: GameStore {
        let checks = Mutex(0)

        func insert(_ record: GameRecord) async throws(StoreError) { throw StoreError(StoreReadinessTests.cause) }
        func game(_ id: GameID) async throws(StoreError) -> GameRecord? { throw StoreError(StoreReadinessTests.cause) }
        func update(_ record: GameRecord, expectedVersion: Int) async throws(StoreError) -> UpdateResult {
            throw StoreError(StoreReadinessTests.cause)
        }
        func rematch(of original: GameID, makeGame: @Sendable (GameRecord) -> GameRecord) async throws(StoreError) -> GameRecord? {
            throw StoreError(StoreReadinessTests.cause)
        }
        func claimSeat(in id: GameID, token: TokenHash, at now: Int64) async throws(StoreError) -> SeatClaim {
            throw StoreError(StoreReadinessTests.cause)
        }
        func checkHealth() async throws(StoreError) {
            checks.withLock { $0 += 1 }
            try? await Task.sleep(for: .milliseconds(50))
            throw StoreError(StoreReadinessTests.cause)
        }
    }

    /// Keeps every log line's message and metadata.
    struct CapturingLogHandler: LogHandler {
        let lines: Mutex<[(message: String, metadata: Logger.Metadata)]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            lines.withLock { $0.append((event.message.description, all)) }
        }
    }

    @Test func clientsGetFixedWordsAndARequestIdWhileTheLogGetsTheCause() async throws {
        let store = UnreachableStore()
        let lines = Mutex<[(message: String, metadata: Logger.Metadata)]>([])
        let logger = Logger(label: "test") { _ in CapturingLogHandler(lines: lines) }
        let parts = try AppParts(settings: try ConfigLoader.parse("", source: "t.yaml"), store: store)
        try await buildApplication(parts, logger: logger).test(.router) { client in
            for response in [try await client.get("/readyz"), try await client.post("/api/games")] {
                #expect(response.status == .serviceUnavailable)
                #expect(!response.text.contains("app_admin") && !response.text.contains("db.internal"))
                let error = try response.error().error
                #expect(error.code == "unavailable")
                #expect(error.message == "game storage is not available; try again in a moment")
                let id = try #require(error.requestId)
                let logged = lines.withLock { lines in
                    lines.filter { $0.metadata["hb.request.id"]?.description == id && $0.metadata["cause"] != nil }
                }
                #expect(logged.map(\.message) == ["game storage is not available; try again in a moment"])
                #expect(logged.first?.metadata["cause"]?.description == Self.cause)
            }
        }
    }

    @Test func manyProbesReachTheStoreOncePerRefresh() async throws {
        let store = UnreachableStore()
        let readiness = StoreReadiness(store: store, refresh: .seconds(60))
        let failures = await withTaskGroup(of: StoreError?.self) { group in
            for _ in 0..<40 { group.addTask { await readiness.failure() } }
            return await group.reduce(into: [String]()) { $0.append($1?.description ?? "ready") }
        }
        #expect(failures == Array(repeating: Self.cause, count: 40))
        #expect(await readiness.failure()?.description == Self.cause)
        #expect(store.checks.withLock { $0 } == 1)
    }

    @Test func aFailedCheckIsMadeAgainAfterTheRefresh() async throws {
        let store = UnreachableStore()
        let readiness = StoreReadiness(store: store, refresh: .milliseconds(100))
        _ = await readiness.failure()
        try await Task.sleep(for: .milliseconds(150))
        _ = await readiness.failure()
        #expect(store.checks.withLock { $0 } == 2)
    }
}
