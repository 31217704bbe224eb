import Foundation
import HummingbirdTesting
import NIOCore
import Server
import Testing

@Suite struct GameRoutesTests {
    @Test func createsAGameWithItsLocation() async throws {
        try await withApp { client in
            let response = try await client.post("/api/games")
            #expect(response.status == .created)
            let game = try response.game()
            #expect(response.headers[.location] == "/api/games/\(game.id)")
            #expect(game.id.count == 16)
            #expect(game.board == Array(repeating: "", count: 9))
            #expect(game.next == "X")
            #expect(game.status == "playing")
            #expect(game.winner == nil)
            #expect(game.version == 0)
            #expect(game.opponent == "human")
        }
    }

    @Test func writesNullsTheContractNames() async throws {
        try await withApp { client in
            let text = try await client.post("/api/games").text
            #expect(text.contains("\"winner\":null"))
            #expect(text.contains("\"winningLine\":[]"))
        }
    }

    @Test func givesEachVisitorTheirOwnGame() async throws {
        try await withApp { client in
            let a = try await client.newGame()
            let b = try await client.newGame()
            #expect(a.id != b.id)
            _ = try await client.move(a.id, #"{"index": 4}"#)
            #expect(try await client.get("/api/games/\(b.id)").game().board[4] == "")
        }
    }

    @Test func playsAWholeGameToAWin() async throws {
        try await withApp { client in
            let id = try await client.newGame().id
            for (i, cell) in [0, 3, 1, 4].enumerated() {
                let response = try await client.move(id, #"{"index": \#(cell), "version": \#(i)}"#)
                #expect(response.status == .ok)
            }
            let final = try await client.move(id, #"{"row": 0, "col": 2}"#).game()
            #expect(final.status == "won")
            #expect(final.winner == "X")
            #expect(final.winningLine == [0, 1, 2])
            #expect(final.next == nil)
            #expect(final.moves == [0, 3, 1, 4, 2])
            #expect(final.version == 5)
            #expect(try await client.get("/api/games/\(id)").game() == final)
        }
    }

    @Test func rejectsMoveOnTakenCell() async throws {
        try await withApp { client in
            let id = try await client.newGame().id
            _ = try await client.move(id, #"{"index": 4}"#)
            let response = try await client.move(id, #"{"index": 4}"#)
            #expect(response.status == .conflict)
            #expect(try response.error() == ErrorBody(error: .init(code: "cell_taken", message: "cell 4 is already taken by X")))
        }
    }

    @Test func rejectsMoveAfterTheGameEnded() async throws {
        try await withApp { client in
            let id = try await client.newGame().id
            for cell in [0, 3, 1, 4, 2] { _ = try await client.move(id, #"{"index": \#(cell)}"#) }
            let response = try await client.move(id, #"{"index": 8}"#)
            #expect(response.status == .conflict)
            #expect(try response.error().error.code == "game_over")
        }
    }

    @Test func rejectsAStaleVersion() async throws {
        try await withApp { client in
            let id = try await client.newGame().id
            _ = try await client.move(id, #"{"index": 0, "version": 0}"#)
            let response = try await client.move(id, #"{"index": 1, "version": 0}"#)
            #expect(response.status == .conflict)
            #expect(try response.error().error.code == "stale_version")
        }
    }

    @Test(arguments: [
        (#"{"index": 9}"#, "outside_board"),
        (#"{"index": -1}"#, "outside_board"),
        (#"{"row": 3, "col": 0}"#, "outside_board"),
        (#"{"index": "x"}"#, "invalid_body"),
        (#"{"index": 1.5}"#, "invalid_body"),
        (#"{"index": 1e30}"#, "invalid_body"),
        (#"{"index": null}"#, "invalid_body"),
        (#"{"index": 1, "row": 0, "col": 1}"#, "invalid_body"),
        (#"{"row": 1}"#, "invalid_body"),
        (#"{}"#, "invalid_body"),
        (#"[1]"#, "invalid_body"),
        (#"{"index": true}"#, "invalid_body"),
        (#"{"index": 1"#, "malformed_json"),
        ("", "invalid_body"),
    ])
    func rejectsBadMoveBodies(body: String, code: String) async throws {
        try await withApp { client in
            let id = try await client.newGame().id
            let response = try await client.move(id, body)
            #expect(response.status == .badRequest)
            #expect(try response.error().error.code == code)
            #expect(try await client.get("/api/games/\(id)").game().version == 0)
        }
    }

    @Test func refusesABodyThatIsNotJSON() async throws {
        try await withApp { client in
            let response = try await client.execute(
                uri: "/api/games",
                method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "opponent=computer")
            )
            #expect(response.status == .unsupportedMediaType)
            #expect(try response.error().error.code == "unsupported_media_type")
            let bare = try await client.execute(uri: "/api/games", method: .post)
            #expect(bare.status == .unsupportedMediaType)
        }
    }

    @Test func refusesAnOversizedBody() async throws {
        try await withApp("server: {max_body_bytes: 256}\n") { client in
            let id = try await client.newGame().id
            let padding = String(repeating: " ", count: 300)
            let response = try await client.move(id, #"{"index": 1}"# + padding)
            #expect(response.status == .contentTooLarge)
            #expect(try response.error().error.code == "body_too_large")
        }
    }

    @Test func answersUnknownGamesWith404() async throws {
        try await withApp { client in
            for id in ["AAAAAAAAAAAAAAAA", "short", "../../etc/passwd"] {
                let response = try await client.get("/api/games/\(id)")
                #expect(response.status == .notFound)
                #expect(try response.error().error.code == "game_not_found" || response.status == .notFound)
            }
            let move = try await client.move("AAAAAAAAAAAAAAAA", #"{"index": 0}"#)
            #expect(move.status == .notFound)
            #expect(try move.error().error.code == "game_not_found")
        }
    }

    @Test func answersUnknownRoutesWithJSON() async throws {
        try await withApp { client in
            let response = try await client.get("/nothing/here")
            #expect(response.status == .notFound)
            #expect(try response.error().error.code == "not_found")
        }
    }

    @Test func refusesAnUnknownOpponent() async throws {
        try await withApp { client in
            let response = try await client.post("/api/games", #"{"opponent": "robot"}"#)
            #expect(response.status == .badRequest)
            #expect(try response.error().error.message == "`opponent` must be \"human\", \"computer\" or \"online\", not \"robot\"")
        }
    }

    @Test func rematchIsIdempotentAndNamedByTheOldGame() async throws {
        try await withApp { client in
            let id = try await client.newGame().id
            let early = try await client.post("/api/games/\(id)/rematch")
            #expect(early.status == .conflict)
            #expect(try early.error().error.code == "game_not_over")
            for cell in [0, 3, 1, 4, 2] { _ = try await client.move(id, #"{"index": \#(cell)}"#) }
            let first = try await client.post("/api/games/\(id)/rematch")
            #expect(first.status == .created)
            let second = try await client.post("/api/games/\(id)/rematch")
            #expect(try first.game().id == second.game().id)
            #expect(try first.game().id != id)
            #expect(try await client.get("/api/games/\(id)").game().rematchId == first.game().id)
        }
    }

    @Test func exactlyOneOfTwoRacingMovesOnACellWins() async throws {
        try await withApp { client in
            for _ in 0..<10 {
                let id = try await client.newGame().id
                let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                    for _ in 0..<2 {
                        group.addTask {
                            let r = try await client.move(id, #"{"index": 4}"#)
                            return (Int(r.status.code), r.status == .ok ? nil : try r.error().error.code)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.filter { $0.0 == 200 }.count == 1)
                #expect(statuses.filter { $0.0 == 409 }.map(\.1) == ["cell_taken"])
                #expect(try await client.get("/api/games/\(id)").game().moves == [4])
            }
        }
    }

    @Test func exactlyOneOfManyRacingMovesOnAFreshGameIsStored() async throws {
        try await withApp { client in
            let id = try await client.newGame().id
            let accepted = try await withThrowingTaskGroup(of: Int?.self) { group in
                for cell in 0..<9 {
                    group.addTask {
                        let r = try await client.move(id, #"{"index": \#(cell), "version": 0}"#)
                        return r.status == .ok ? cell : nil
                    }
                }
                return try await group.reduce(into: [Int]()) { if let c = $1 { $0.append(c) } }
            }
            #expect(accepted.count == 1)
            #expect(try await client.get("/api/games/\(id)").game().moves == accepted)
        }
    }
}
