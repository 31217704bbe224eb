import Foundation
import Game
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Server
import Testing

@Suite struct OnlinePlayTests {
    struct Player {
        var token: String
        var auth: HTTPFields { [.contentType: "application/json", .authorization: "Bearer \(token)"] }
    }

    func online(_ client: some TestClientProtocol) async throws -> (GameResponse, Player) {
        let game = try await client.newGame(#"{"opponent": "online"}"#)
        return (game, Player(token: try #require(game.token)))
    }

    func join(_ client: some TestClientProtocol, _ id: String) async throws -> (TestResponse, Player?) {
        let response = try await client.post("/api/games/\(id)/seats")
        return (response, try? response.game().token.map(Player.init))
    }

    func move(_ client: some TestClientProtocol, _ id: String, _ player: Player?, _ index: Int) async throws -> TestResponse {
        try await client.execute(
            uri: "/api/games/\(id)/moves",
            method: .post,
            headers: player?.auth ?? [.contentType: "application/json"],
            body: ByteBuffer(string: #"{"index": \#(index)}"#)
        )
    }

    @Test func creatorHoldsTheFirstSeatWithALongToken() async throws {
        try await withApp { client in
            let (game, creator) = try await online(client)
            #expect(game.opponent == "online")
            #expect(game.you == "X")
            #expect(game.seatsTaken == ["X"])
            #expect(creator.token.count == 43)
            #expect(
                Data(base64Encoded: creator.token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/") + "=")?.count
                    == 32
            )
            let (_, other) = try await online(client)
            #expect(other.token != creator.token)
        }
    }

    @Test func secondVisitorClaimsTheOpenSeatAndThirdWatches() async throws {
        try await withApp { client in
            let (game, _) = try await online(client)
            #expect(try await client.get("/api/games/\(game.id)").game().seatsTaken == ["X"])
            let (response, friend) = try await join(client, game.id)
            #expect(response.status == .created)
            let joined = try response.game()
            #expect(joined.you == "O")
            #expect(joined.seatsTaken == ["X", "O"])
            #expect(friend != nil)
            let (third, _) = try await join(client, game.id)
            #expect(third.status == .conflict)
            #expect(try third.error().error.code == "seats_taken")
        }
    }

    @Test func reclaimingWithYourTokenReturnsYourSeat() async throws {
        try await withApp { client in
            let (game, creator) = try await online(client)
            let response = try await client.execute(
                uri: "/api/games/\(game.id)/seats",
                method: .post,
                headers: creator.auth,
                body: ByteBuffer(string: "{}")
            )
            #expect(response.status == .ok)
            #expect(try response.game().you == "X")
            #expect(try response.game().token == nil)
            #expect(try response.game().seatsTaken == ["X"])
        }
    }

    @Test func onlyTheSeatWhoseTurnItIsMoves() async throws {
        try await withApp { client in
            let (game, x) = try await online(client)
            let o = try #require(try await join(client, game.id).1)
            let anonymous = try await move(client, game.id, nil, 4)
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.headers[.wwwAuthenticate] == "Bearer")
            #expect(try anonymous.error().error.code == "token_required")
            let stranger = try await move(client, game.id, Player(token: SeatToken.random().rawValue), 4)
            #expect(stranger.status == .forbidden)
            #expect(try stranger.error().error.code == "not_a_player")
            let malformed = try await move(client, game.id, Player(token: "not-a-token"), 4)
            #expect(malformed.status == .forbidden)
            let early = try await move(client, game.id, o, 4)
            #expect(early.status == .conflict)
            #expect(try early.error().error.code == "not_your_turn")
            let first = try await move(client, game.id, x, 4)
            #expect(first.status == .ok)
            #expect(try first.game().you == "X")
            #expect(try first.game().board[4] == "X")
            let taken = try await move(client, game.id, o, 4)
            #expect(taken.status == .conflict)
            #expect(try taken.error().error.code == "cell_taken")
            #expect(try await move(client, game.id, o, 0).status == .ok)
        }
    }

    @Test func aGameAtOneScreenHasNoSeats() async throws {
        try await withApp { client in
            let game = try await client.newGame()
            #expect(game.seatsTaken == nil)
            #expect(game.you == nil)
            let (response, _) = try await join(client, game.id)
            #expect(response.status == .conflict)
            #expect(try response.error().error.code == "not_online")
        }
    }

    @Test func rematchSwapsWhoStartsAndIsOneGameForBoth() async throws {
        try await withApp { client in
            let (game, x) = try await online(client)
            let o = try #require(try await join(client, game.id).1)
            for (player, cell) in [(x, 0), (o, 3), (x, 1), (o, 4), (x, 2)] {
                #expect(try await move(client, game.id, player, cell).status == .ok)
            }
            let spectator = try await client.post("/api/games/\(game.id)/rematch")
            #expect(spectator.status == .unauthorized)
            let byX = try await client.execute(uri: "/api/games/\(game.id)/rematch", method: .post, headers: x.auth, body: ByteBuffer(string: "{}"))
            let byO = try await client.execute(uri: "/api/games/\(game.id)/rematch", method: .post, headers: o.auth, body: ByteBuffer(string: "{}"))
            #expect(byX.status == .created)
            #expect(byO.status == .created)
            let next = try byX.game()
            #expect(try byO.game().id == next.id)
            #expect(next.you == "O")
            #expect(try byO.game().you == "X")
            #expect(next.seatsTaken == ["X", "O"])
            #expect(try await client.get("/api/games/\(game.id)").game().rematchId == next.id)
            // The old O now starts, with the same token.
            #expect(try await move(client, next.id, x, 4).status == .conflict)
            #expect(try await move(client, next.id, o, 4).status == .ok)
            // Both players, and anyone reloading, see the chain's score: X won the first game.
            #expect(next.score == ["X": 1, "O": 0, "draws": 0])
            #expect(try byO.game().score == ["X": 1, "O": 0, "draws": 0])
            #expect(try await client.get("/api/games/\(next.id)").game().score == ["X": 1, "O": 0, "draws": 0])
            #expect(try await client.get("/api/games/\(game.id)").game().score == ["X": 1, "O": 0, "draws": 0])
        }
    }

    @Test func theScoreRunsAcrossRematchesForEveryKindOfGame() async throws {
        try await withApp("opponent: {plays: O, level: easy}") { client in
            for opponent in ["human", "computer"] {
                var game = try await client.newGame(#"{"opponent": "\#(opponent)"}"#)
                #expect(game.score == ["X": 0, "O": 0, "draws": 0])
                var results: [String: Int] = ["X": 0, "O": 0, "draws": 0]
                for _ in 0..<3 {
                    while game.status == "playing" {
                        let free = try #require(game.board.firstIndex(of: ""))
                        game = try await client.move(game.id, #"{"index": \#(free)}"#).game()
                    }
                    results[game.winner ?? "draws", default: 0] += 1
                    #expect(game.score == results)
                    game = try await client.post("/api/games/\(game.id)/rematch").game()
                    #expect(game.score == results)
                }
            }
        }
    }

    @Test func getWithATokenNamesYourSeat() async throws {
        try await withApp { client in
            let (game, x) = try await online(client)
            let mine = try await client.execute(uri: "/api/games/\(game.id)", method: .get, headers: x.auth)
            #expect(try mine.game().you == "X")
            #expect(mine.headers[.cacheControl] == "no-store")
            #expect(try await client.get("/api/games/\(game.id)").game().you == nil)
            #expect(try await client.get("/api/games/\(game.id)").text.contains(x.token) == false)
        }
    }

    @Test func storesOnlyTheTokensHash() async throws {
        let store = MemoryGameStore(maxGames: 100, idleTimeout: .seconds(600))
        try await withApp(store: store) { client in
            let (game, x) = try await online(client)
            let id = try #require(GameID(game.id))
            let stored = try #require(store.game(id))
            #expect(stored.seats?.first == SeatToken(x.token)?.hash)
            #expect(stored.seats?.first?.rawValue != x.token)
            #expect(stored.seats?.first?.rawValue.count == 64)
        }
    }

    func resign(_ client: some TestClientProtocol, _ id: String, _ player: Player?, _ json: String = "{}") async throws -> TestResponse {
        try await client.execute(
            uri: "/api/games/\(id)/resign",
            method: .post,
            headers: player?.auth ?? [.contentType: "application/json"],
            body: ByteBuffer(string: json)
        )
    }

    @Test func eitherPlayerMayResignOnEitherTurnAndTheOtherWins() async throws {
        try await withApp { client in
            let (game, x) = try await online(client)
            let (_, o) = try await join(client, game.id)
            #expect(try await move(client, game.id, x, 4).status == .ok)
            // It is O's turn; X resigns all the same.
            let response = try await resign(client, game.id, x)
            #expect(response.status == .ok)
            let over = try response.game()
            #expect(over.status == "won" && over.winner == "O" && over.resigned == "X" && over.you == "X")
            #expect(over.moves == [4] && over.version == 2 && over.winningLine.isEmpty && over.next == nil)
            #expect(over.score == ["X": 0, "O": 1, "draws": 0])
            let seen = try await client.get("/api/games/\(game.id)").game()
            #expect(seen.resigned == "X" && seen.version == 2)
            let again = try await resign(client, game.id, o)
            #expect(again.status == .conflict)
            #expect(try again.error().error.code == "game_over")
            #expect(try again.error().error.message == "the game is over: X resigned; start a new game or a rematch")
        }
    }

    @Test func aWatcherCannotResignAndAStaleVersionIsRefused() async throws {
        try await withApp { client in
            let (game, x) = try await online(client)
            let watcher = try await resign(client, game.id, nil)
            #expect(watcher.status == .unauthorized)
            #expect(try watcher.error().error.code == "token_required")
            let stranger = try await resign(client, game.id, Player(token: String(repeating: "A", count: 43)))
            #expect(stranger.status == .forbidden)
            let stale = try await resign(client, game.id, x, #"{"version": 5}"#)
            #expect(stale.status == .conflict)
            #expect(try stale.error().error.code == "stale_version")
            let malformed = try await resign(client, game.id, x, #"{"version": "one"}"#)
            #expect(malformed.status == .badRequest)
            #expect(try await client.get("/api/games/\(game.id)").game().status == "playing")
            #expect(try await client.post("/api/games/nope/resign").status == .notFound)
        }
    }

    @Test func theHumanResignsAgainstTheComputerAndAtOneScreenThePlayerToMove() async throws {
        try await withApp("opponent: {kind: computer, plays: O}\n") { client in
            let game = try await client.newGame()
            let over = try await client.post("/api/games/\(game.id)/resign").game()
            #expect(over.resigned == "X" && over.winner == "O" && over.computer == "O")
            let local = try await client.newGame(#"{"opponent": "human"}"#)
            _ = try await client.move(local.id, #"{"index": 0}"#)
            let ended = try await client.post("/api/games/\(local.id)/resign").game()
            #expect(ended.resigned == "O" && ended.winner == "X")
            let rematch = try await client.post("/api/games/\(local.id)/rematch")
            #expect(rematch.status == .created)
            #expect(try rematch.game().score == ["X": 1, "O": 0, "draws": 0])
        }
    }
}
