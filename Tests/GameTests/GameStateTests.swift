import Testing

@testable import Game

@Suite struct GameStateTests {
    let classic = BoardShape.classic

    @Test func startsEmptyWithFirstSeatToMove() {
        let game = GameState(shape: classic)
        #expect(game.cells == Array(repeating: nil, count: 9))
        #expect(game.outcome == .playing(next: .first))
        #expect(game.version == 0)
    }

    @Test func alternatesSeatsAndCountsVersions() throws {
        var game = GameState(shape: classic)
        try game.play(4)
        #expect(game.next == .second)
        try game.play(0)
        #expect(game.next == .first)
        #expect(game.moves == [4, 0])
        #expect(game.version == 2)
    }

    @Test func rejectsMoveOnTakenCell() throws {
        var game = try GameState(shape: classic, replaying: [4])
        let before = game
        #expect(throws: MoveError.cellTaken(index: 4, by: .first)) { try game.play(4) }
        #expect(game == before)
    }

    @Test func rejectsMoveOutsideBoard() {
        var game = GameState(shape: classic)
        #expect(throws: MoveError.outsideBoard(index: 9, cellCount: 9)) { try game.play(9) }
        #expect(throws: MoveError.outsideBoard(index: -1, cellCount: 9)) { try game.play(-1) }
        #expect(game.moves.isEmpty)
    }

    @Test func rejectsMoveOutOfTurn() throws {
        var game = GameState(shape: classic)
        #expect(throws: MoveError.notYourTurn(next: .first)) { try game.play(0, by: .second) }
    }

    @Test(arguments: [
        ([0, 3, 1, 4, 2], [0, 1, 2]),  // row
        ([0, 1, 3, 2, 6], [0, 3, 6]),  // column
        ([0, 1, 4, 2, 8], [0, 4, 8]),  // diagonal
        ([2, 0, 4, 1, 6], [2, 4, 6]),  // anti-diagonal
    ])
    func detectsWinAndItsLine(moves: [Int], line: [Int]) throws {
        let game = try GameState(shape: classic, replaying: moves)
        #expect(game.outcome == .won(winner: .first, line: line))
    }

    @Test func rejectsMoveAfterWin() throws {
        var game = try GameState(shape: classic, replaying: [0, 3, 1, 4, 2])
        #expect(throws: MoveError.gameOver(.won(winner: .first, line: [0, 1, 2]))) { try game.play(5) }
    }

    @Test func detectsDrawOnFullBoard() throws {
        // X O X / X O O / O X X
        let game = try GameState(shape: classic, replaying: [0, 1, 2, 4, 3, 5, 7, 6, 8])
        #expect(game.outcome == .draw)
        #expect(game.next == nil)
    }

    @Test func misereGivesTheWinToTheOtherPlayer() throws {
        let game = try GameState(shape: classic, rule: .misere, replaying: [0, 3, 1, 4, 2])
        #expect(game.outcome == .won(winner: .second, line: [0, 1, 2]))
    }

    @Test func winsWithKInARowOnALargeBoard() throws {
        let shape = try BoardShape(rows: 15, cols: 15, winLength: 5)
        // First player fills row 7 from col 3 to 7; second plays row 0.
        var moves: [Int] = []
        for step in 0..<5 {
            moves.append(shape.index(row: 7, col: 3 + step))
            if step < 4 { moves.append(shape.index(row: 0, col: step)) }
        }
        let game = try GameState(shape: shape, replaying: moves)
        #expect(game.outcome == .won(winner: .first, line: (3...7).map { shape.index(row: 7, col: $0) }))
    }

    @Test func fourInARowIsNotFiveOnGomoku() throws {
        let shape = try BoardShape(rows: 15, cols: 15, winLength: 5)
        let game = try GameState(shape: shape, replaying: [0, 100, 1, 101, 2, 102, 3])
        #expect(game.outcome == .playing(next: .second))
    }

    @Test func listsTheWholeRunWhenLongerThanK() throws {
        let shape = try BoardShape(rows: 3, cols: 7, winLength: 3)
        // X at 0, 1 then 3, 4, then 2 joins a run of five.
        let game = try GameState(shape: shape, replaying: [0, 7, 1, 8, 3, 16, 4, 18, 2])
        #expect(game.outcome == .won(winner: .first, line: [0, 1, 2, 3, 4]))
    }

    @Test func rectangularBoardsUseTheLongSide() throws {
        let shape = try BoardShape(rows: 3, cols: 6, winLength: 5)
        let game = try GameState(shape: shape, replaying: [0, 6, 1, 7, 2, 8, 3, 9, 4])
        #expect(game.outcome == .won(winner: .first, line: [0, 1, 2, 3, 4]))
    }
}

@Suite struct ResignationTests {
    @Test func resigningEndsTheGameWithTheOtherSeatTheWinnerOnEitherTurn() throws {
        var game = try GameState(shape: .classic, replaying: [4, 0])
        try game.resign(.second)  // not O's turn: a player may resign whenever
        #expect(game.outcome == .won(winner: .first, line: []))
        #expect(game.resigned == .second)
        #expect(game.moves == [4, 0] && game.version == 3 && game.next == nil)
    }

    @Test func aFinishedGameCannotBeResignedNorMovedInAfterAResignation() throws {
        var won = try GameState(shape: .classic, replaying: [0, 3, 1, 4, 2])
        #expect(throws: MoveError.gameOver(won.outcome)) { try won.resign(.second) }
        var resigned = GameState(shape: .classic)
        try resigned.resign(.first)
        #expect(throws: MoveError.gameOver(.won(winner: .second, line: []))) { try resigned.play(4) }
        #expect(throws: MoveError.gameOver(.won(winner: .second, line: []))) { try resigned.resign(.second) }
    }

    @Test func replayingAHistoryWithItsResignationGivesTheSameState() throws {
        var played = try GameState(shape: .classic, replaying: [4])
        try played.resign(.first)
        #expect(try GameState(shape: .classic, replaying: [4], forfeit: .resigned(.first)) == played)
    }
}

@Suite struct TurnClockTimeoutTests {
    @Test func theSeatToMoveTimingOutLosesAndCountsAsAVersion() throws {
        var game = try GameState(shape: .classic, replaying: [4])
        try game.timeOut(.second)
        #expect(game.outcome == .won(winner: .first, line: []))
        #expect(game.timedOut == .second && game.resigned == nil && game.forfeit == .timedOut(.second))
        #expect(game.version == 2 && game.next == nil)
    }

    @Test func onlyTheSeatToMoveCanTimeOutAndOnlyWhileTheGameIsOn() throws {
        var game = try GameState(shape: .classic, replaying: [4])
        #expect(throws: MoveError.notYourTurn(next: .second)) { try game.timeOut(.first) }
        var won = try GameState(shape: .classic, replaying: [0, 3, 1, 4, 2])
        #expect(throws: MoveError.gameOver(won.outcome)) { try won.timeOut(.second) }
        try game.timeOut(.second)
        #expect(throws: MoveError.gameOver(game.outcome)) { try game.play(0) }
        #expect(try GameState(shape: .classic, replaying: [4], forfeit: .timedOut(.second)) == game)
    }
}

@Suite struct BoardShapeTests {
    @Test func refusesSidesOutsideTheRange() {
        #expect(throws: ShapeError.rowsOutOfRange(2)) { try BoardShape(rows: 2, cols: 3, winLength: 3) }
        #expect(throws: ShapeError.colsOutOfRange(21)) { try BoardShape(rows: 3, cols: 21, winLength: 3) }
    }

    @Test func refusesWinLengthLongerThanTheBoard() {
        #expect(throws: ShapeError.winLengthOutOfRange(4, longestSide: 3)) { try BoardShape(rows: 3, cols: 3, winLength: 4) }
        #expect(throws: ShapeError.winLengthOutOfRange(2, longestSide: 3)) { try BoardShape(rows: 3, cols: 3, winLength: 2) }
    }

    @Test func acceptsFifteenByFifteenFiveInARow() throws {
        let shape = try BoardShape(rows: 15, cols: 15, winLength: 5)
        #expect(shape.cellCount == 225)
        #expect(shape.index(row: 2, col: 3) == 33)
    }
}
