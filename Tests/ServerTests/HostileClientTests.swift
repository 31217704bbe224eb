import Config
import Game
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Locking
import NIOCore
import Server
import Testing

/// Limits that a client cannot talk its way around, and the HTTP methods every path answers.
@Suite struct HostileClientTests {
    /// Creates games from 127.0.0.1, each claiming another address; the statuses in order.
    func createWithForgedAddresses(_ yaml: String) async throws -> [Int] {
        let statuses = Statuses()
        try await withApp(yaml, testing: .live) { client in
            for i in 1...4 {
                let response = try await client.execute(
                    uri: "/api/games",
                    method: .post,
                    headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "198.51.100.\(i)"],
                    body: ByteBuffer(string: "{}")
                )
                statuses.append(Int(response.status.code))
                if response.status == .tooManyRequests {
                    #expect(try response.error().error.code == "rate_limited")
                    let retryAfter = try #require(response.headers[.retryAfter].flatMap { Int($0) })
                    #expect((1...60).contains(retryAfter))
                }
            }
        }
        return statuses.values
    }

    @Test func forgedForwardedForDoesNotChangeWhoseBudgetIsSpent() async throws {
        let statuses = try await createWithForgedAddresses("server: {limits: {games_per_minute: 3}}")
        #expect(statuses == [201, 201, 201, 429])
    }

    @Test func forwardedForFromATrustedProxyNamesTheClient() async throws {
        let statuses = try await createWithForgedAddresses("server: {limits: {games_per_minute: 3}, trusted_proxies: [127.0.0.0/8]}")
        #expect(statuses == [201, 201, 201, 201])
    }

    @Test func headAnswersWhereGetDoesWithoutABody() async throws {
        try await withApp { client in
            let game = try await client.newGame()
            for path in ["/", "/assets/app.js", "/healthz", "/api/config", "/api/games/\(game.id)", "/api/games/\(game.id)/events"] {
                let head = try await client.execute(uri: path, method: .head)
                #expect(head.status == .ok, "\(path)")
                #expect(head.body.readableBytes == 0, "\(path)")
                if path != "/api/games/\(game.id)/events" {
                    let get = try await client.get(path)
                    #expect(head.headers[.contentType] == get.headers[.contentType], "\(path)")
                    #expect(head.headers[.contentLength] == String(get.body.readableBytes), "\(path)")
                }
            }
            #expect(try await client.execute(uri: "/api/games/nosuchgame123456", method: .head).status == .notFound)
        }
    }

    @Test func wrongMethodGets405WithAllowAsJSON() async throws {
        try await withApp { client in
            let game = try await client.newGame()
            let cases: [(String, HTTPRequest.Method, String)] = [
                ("/api/games", .delete, "POST"),
                ("/api/games/\(game.id)", .post, "GET, HEAD"),
                ("/api/games/\(game.id)/moves", .get, "POST"),
                ("/", .put, "GET, HEAD"),
            ]
            for (path, method, allow) in cases {
                let response = try await client.execute(uri: path, method: method)
                #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                #expect(response.headers[.allow] == allow, "\(method) \(path)")
                #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                #expect(try response.error().error == .init(code: "method_not_allowed", message: "\(method) is not allowed on \(path); use \(allow)"))
            }
            #expect(try await client.execute(uri: "/api/nothing", method: .delete).status == .notFound)
        }
    }

    /// The application's parts for `yaml`, and a game made through their store.
    func partsWithAGame(_ yaml: String) async throws -> (AppParts, GameRecord) {
        let settings = try ConfigLoader.parse(yaml, source: "s.yaml")
        let parts = try AppParts(settings: settings)
        let service = GameService(settings: settings, store: parts.store, computer: parts.computer, events: parts.events)
        return (parts, try await service.create(opponent: nil))
    }

    @Test func streamsBeyondTheClientsCapGet429WithRetryAfter() async throws {
        let (parts, game) = try await partsWithAGame("server: {streams: {per_client: 2}}")
        // Two streams held open by "this client" (the router test's peer has no address).
        _ = try parts.events.subscribe(to: game.id, client: "unknown")
        _ = try parts.events.subscribe(to: game.id, client: "unknown")
        try await buildApplication(parts, logger: .init(label: "test")).test(.router) { client in
            let refused = try await client.get("/api/games/\(game.id.rawValue)/events")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "10")
            #expect(try refused.error().error.code == "too_many_streams")
            #expect(parts.events.streamCount == 2)
        }
    }

    @Test func streamsBeyondTheProcessCapGet503WithRetryAfter() async throws {
        let (parts, game) = try await partsWithAGame("server: {streams: {max: 1}}")
        _ = try parts.events.subscribe(to: game.id, client: "203.0.113.9")
        try await buildApplication(parts, logger: .init(label: "test")).test(.router) { client in
            let refused = try await client.get("/api/games/\(game.id.rawValue)/events")
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "5")
            #expect(try refused.error().error.code == "too_many_streams")
        }
    }

    @Test func finishedAndRematchedGameStreamSendsItsLastStateAndEnds() async throws {
        try await withApp { client in
            var game = try await client.newGame()
            for cell in [0, 3, 1, 4, 2] { game = try await client.move(game.id, "{\"index\": \(cell)}").game() }
            #expect(game.status == "won")
            #expect(try await client.post("/api/games/\(game.id)/rematch").status == .created)
            // The stream ends by itself: the game can no longer change.
            let stream = try await client.get("/api/games/\(game.id)/events")
            #expect(stream.status == .ok)
            let lastEventID = try #require(stream.text.split(separator: "\n").first { $0.hasPrefix("id: ") }?.dropFirst(4))
            #expect(stream.text.contains("\"rematchId\""))
            // A browser reconnecting with that state is told to stop.
            let again = try await client.execute(
                uri: "/api/games/\(game.id)/events",
                method: .get,
                headers: [HTTPField.Name("Last-Event-ID")!: String(lastEventID)]
            )
            #expect(again.status == .noContent)
        }
    }

    @Test func oversizedRequestHeadGets431AsJSON() async throws {
        try await withApp("server: {max_header_bytes: 2048}", testing: .live) { client in
            let response = try await client.execute(
                uri: "/healthz",
                method: .get,
                headers: [HTTPField.Name("X-Padding")!: String(repeating: "a", count: 3000)]
            )
            #expect(response.status.code == 431)
            #expect(try response.error().error == .init(code: "headers_too_large", message: "the request's headers are too large"))
        }
    }
}

/// Collects values from a `@Sendable` closure.
final class Statuses: Sendable {
    private let stored = Mutex<[Int]>([])
    func append(_ value: Int) { stored.withLock { $0.append(value) } }
    var values: [Int] { stored.withLock { $0 } }
}
