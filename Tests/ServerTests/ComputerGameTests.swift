import Config
import Game
import HummingbirdTesting
import Server
import Testing

@Suite struct ComputerGameTests {
    @Test func computerRepliesInTheSameAnswer() async throws {
        try await withApp("opponent: {kind: computer, plays: O, level: perfect}\n") { client in
            let game = try await client.newGame()
            #expect(game.opponent == "computer")
            #expect(game.computer == "O")
            #expect(game.moves.isEmpty)
            let after = try await client.move(game.id, #"{"index": 0}"#).game()
            #expect(after.moves.count == 2)
            #expect(after.moves[0] == 0)
            #expect(after.board[after.moves[1]] == "O")
            #expect(after.next == "X")
        }
    }

    @Test func computerMovesFirstWhenItPlaysTheFirstSymbol() async throws {
        try await withApp("opponent: {kind: computer, plays: X}\n") { client in
            let game = try await client.newGame()
            #expect(game.moves.count == 1)
            #expect(game.next == "O")
        }
    }

    @Test func aGameMayChooseItsOpponent() async throws {
        try await withApp("opponent: {kind: human}\n") { client in
            let game = try await client.newGame(#"{"opponent": "computer"}"#)
            #expect(game.opponent == "computer")
            let after = try await client.move(game.id, #"{"index": 4}"#).game()
            #expect(after.moves.count == 2)
        }
    }

    @Test func perfectComputerNeverLosesOverHTTP() async throws {
        try await withApp("opponent: {kind: computer, level: perfect}\n") { client in
            // The human always takes the lowest free cell: a naive but complete line of play.
            for _ in 0..<5 {
                var game = try await client.newGame()
                while game.status == "playing" {
                    let cell = try #require(game.board.firstIndex(of: ""))
                    game = try await client.move(game.id, #"{"index": \#(cell)}"#).game()
                }
                #expect(game.winner != "X")
            }
        }
    }

    @Test func aFullQueueAnswersBusy() async throws {
        let queue = ComputerMoveQueue(threads: 1, capacity: 0)
        let shape = try BoardShape(rows: 15, cols: 15, winLength: 5)
        let slow = ComputerPlayer(level: .perfect, thinkTime: .milliseconds(1500))
        var state = GameState(shape: shape)
        try state.play(112)
        let started = state
        let first = Task { try await queue.move(in: started, by: slow) }
        while queue.load == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: ComputerMoveQueue.Busy.self) { try await queue.move(in: started, by: slow) }
        let move = try await first.value
        #expect(move != nil)
        #expect(queue.load == 0)
    }
}
