import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Server
import Testing

/// `/api/match` as the contract gives it.
@Suite struct MatchRoutesTests {
    struct Match: Decodable {
        var status: String
        var ticket: String?
        var queue: String
        var waitSeconds: Int
        var game: GameResponse?
    }

    func match(_ response: TestResponse) throws -> Match {
        try JSONDecoder().decode(Match.self, from: Data(buffer: response.body))
    }

    func call(
        _ client: some TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ uri: String = "/api/match",
        ticket: String?
    ) async throws
        -> TestResponse
    {
        var headers: HTTPFields = [:]
        if let ticket { headers[.authorization] = "Bearer \(ticket)" }
        return try await client.execute(uri: uri, method: method, headers: headers)
    }

    @Test func twoPlayersArePairedIntoOneGameOnOppositeSeats() async throws {
        try await withApp { client in
            let joined = try await client.post("/api/match")
            #expect(joined.status == .accepted)
            #expect(joined.headers[.cacheControl] == "no-store")
            let waiting = try match(joined)
            #expect(waiting.status == "waiting")
            #expect(waiting.queue == "3x3k3-standard")
            #expect(waiting.waitSeconds == 120)
            #expect(waiting.game == nil)
            let ticket = try #require(waiting.ticket)
            let stillWaiting = try await call(client, .get, "/api/match?wait=0", ticket: ticket)
            #expect(stillWaiting.status == .ok)
            #expect(try match(stillWaiting).status == "waiting")
            #expect(try match(stillWaiting).ticket == nil)

            let second = try await client.post("/api/match")
            #expect(second.status == .created)
            let paired = try match(second)
            let game = try #require(paired.game)
            #expect(paired.status == "matched")
            #expect(game.opponent == "online")
            #expect(game.seatsTaken == ["X", "O"])
            #expect(game.token == paired.ticket)

            let found = try match(try await call(client, .get, "/api/match?wait=5", ticket: ticket))
            let mine = try #require(found.game)
            #expect(found.status == "matched")
            #expect(mine.id == game.id)
            #expect(mine.token == ticket)
            #expect(Set([mine.you, game.you]) == Set(["X", "O"]))
            // The ticket is the seat token: whoever is X moves with theirs.
            let xToken = mine.you == "X" ? ticket : try #require(game.token)
            let moved = try await client.execute(
                uri: "/api/games/\(game.id)/moves",
                method: .post,
                headers: [.contentType: "application/json", .authorization: "Bearer \(xToken)"],
                body: ByteBuffer(string: #"{"index": 4}"#)
            )
            #expect(moved.status == .ok)
            // Leaving after the pairing answers the game; the ticket stays in it.
            let left = try await call(client, .delete, ticket: ticket)
            #expect(left.status == .ok)
            #expect(try match(left).game?.id == game.id)
        }
    }

    @Test func leavingTakesThePlayerOutOfTheQueue() async throws {
        try await withApp { client in
            let ticket = try #require(try match(try await client.post("/api/match")).ticket)
            #expect(try await call(client, .delete, ticket: ticket).status == .noContent)
            let gone = try await call(client, .get, ticket: ticket)
            #expect(gone.status == .notFound)
            #expect(try gone.error().error.code == "not_queued")
            // The next player waits rather than pairing with the one who left.
            #expect(try await client.post("/api/match").status == .accepted)
        }
    }

    @Test func requestsWithoutAValidTicketOrWaitAreRefusedWithWhy() async throws {
        try await withApp { client in
            let missing = try await call(client, .get, ticket: nil)
            #expect(missing.status == .unauthorized)
            #expect(
                try missing.error().error
                    == .init(
                        code: "ticket_required",
                        message: "send the ticket that joining the queue gave as `Authorization: Bearer <ticket>`",
                        requestId: missing.error().error.requestId
                    )
            )
            let malformed = try await call(client, .delete, ticket: "not a ticket")
            #expect(malformed.status == .badRequest)
            #expect(try malformed.error().error.code == "invalid_ticket")
            let ticket = try #require(try match(try await client.post("/api/match")).ticket)
            for wait in ["-1", "26", "soon"] {
                let bad = try await call(client, .get, "/api/match?wait=\(wait)", ticket: ticket)
                #expect(bad.status == .badRequest)
                #expect(try bad.error().error.message == "`wait` is the seconds to wait for an opponent, 0 to 25")
            }
            let notJSON = try await client.execute(
                uri: "/api/match",
                method: .post,
                headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "[1")
            )
            #expect(notJSON.status == .badRequest)
        }
    }
}
