import NIOHTTP1

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The smoke game's steps through the HTTP contract (docs/http-api.md): health, readiness, a new
/// game played to its end, and the stored game read back. Each failure names its step.
struct SmokeGame {
    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// The parts of a Game the smoke game reads.
    struct Game: Decodable {
        var id: String
        var rows: Int
        var cols: Int
        var winLength: Int
        var board: [String]
        var status: String
        var winner: String?
        var moves: [Int]
        var version: Int
    }

    let client: OneShotHTTPClient

    /// Plays; returns what was played, as `game ID: 3×3, 5 moves, X won`.
    func play(waitingUpTo wait: Duration) async throws(Failed) -> String {
        let deadline = ContinuousClock.now + wait
        var health = await call(.GET, "/healthz")
        while health.status != 200, (health.status ?? 0) / 100 != 3, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .seconds(2))
            health = await call(.GET, "/healthz")
        }
        try expectStatus("GET /healthz", health, 200)
        try expectStatus("GET /readyz", await call(.GET, "/readyz"), 200)
        var created = await call(.POST, "/api/games", json: #"{"opponent":"human"}"#)
        if created.status == 400 { created = await call(.POST, "/api/games", json: "{}") }
        var game: Game = try expect("POST /api/games", created, 201)
        let planned = Self.movesToFinish(game)
        for _ in 0..<(game.rows * game.cols) where game.status == "playing" {
            let free = game.board.indices.filter { game.board[$0].isEmpty }
            guard let cell = planned.first(where: free.contains) ?? free.first else { break }
            let move = await call(.POST, "/api/games/\(game.id)/moves", json: #"{"index":\#(cell),"version":\#(game.version)}"#)
            game = try expect("POST /api/games/\(game.id)/moves (cell \(cell))", move, 200)
        }
        guard game.status != "playing" else {
            throw Failed(description: "the game \(game.id) did not end after \(game.moves.count) moves")
        }
        let stored: Game = try expect("GET /api/games/\(game.id)", await call(.GET, "/api/games/\(game.id)"), 200)
        guard stored.moves == game.moves else {
            throw Failed(description: "GET /api/games/\(game.id): the stored moves \(stored.moves) are not the ones played \(game.moves)")
        }
        let result = game.status == "won" ? "\(game.winner ?? "?") won" : "a draw"
        return "game \(game.id): \(game.rows)×\(game.cols), \(game.moves.count) moves, \(result)"
    }

    /// Two players: X fills the first row (or column) while O fills the next; else any free cell.
    static func movesToFinish(_ game: Game) -> [Int] {
        let (rows, cols, k) = (game.rows, game.cols, game.winLength)
        if cols >= k, rows >= 2 { return (0..<k).flatMap { [$0, cols + $0] } }
        return (0..<2).flatMap { column in (0..<k).map { $0 * cols + column } }
    }

    /// A status and body, or `nil` and why no answer came.
    private func call(_ method: HTTPMethodName, _ path: String, json: String? = nil) async -> (status: Int?, body: String) {
        do {
            let answer = try await client.send(method.nio, path, json: json)
            if (300..<400).contains(answer.status) {
                let location = answer.headers.first(name: "Location") ?? "(no Location)"
                return (answer.status, "redirected to \(location); the smoke game follows no redirect: play at the address the server names")
            }
            return (answer.status, answer.body)
        } catch {
            return (nil, error.description)
        }
    }

    private func expectStatus(_ step: String, _ answer: (status: Int?, body: String), _ status: Int) throws(Failed) {
        guard answer.status == status else {
            let got = answer.status.map(String.init) ?? "no answer"
            throw Failed(description: "\(step): expected HTTP \(status), got \(got): \(answer.body.prefix(500))")
        }
    }

    private func expect(_ step: String, _ answer: (status: Int?, body: String), _ status: Int) throws(Failed) -> Game {
        try expectStatus(step, answer, status)
        do {
            return try JSONDecoder().decode(Game.self, from: Data(answer.body.utf8))
        } catch {
            throw Failed(description: "\(step): expected a game as JSON, got: \(answer.body.prefix(500))")
        }
    }
}

/// The two methods the smoke game sends.
enum HTTPMethodName {
    case GET, POST

    var nio: HTTPMethod { self == .GET ? .GET : .POST }
}
