import Game
import Server
import Testing

/// How the SQL stores write a game's history: the moves, then the forfeit (a resignation or a timeout).
@Suite struct HistoryTextTests {
    @Test func movesAndAResignationRoundTrip() throws {
        var state = try GameState(shape: .classic, replaying: [4, 0, 8])
        #expect(HistoryText.encode(state) == "4,0,8")
        try state.resign(.second)
        #expect(HistoryText.encode(state) == "4,0,8,R1")
        let decoded = try #require(HistoryText.decode("4,0,8,R1"))
        #expect(decoded.moves == [4, 0, 8] && decoded.forfeit == .resigned(.second))
        #expect(HistoryText.decode("")?.moves == [])
    }

    @Test func aTimeoutRoundTripsAsT() throws {
        var state = try GameState(shape: .classic, replaying: [4])
        try state.timeOut(.second)
        #expect(HistoryText.encode(state) == "4,T1")
        let decoded = try #require(HistoryText.decode("4,T1"))
        #expect(decoded.moves == [4] && decoded.forfeit == .timedOut(.second))
    }

    @Test func anythingElseIsUnreadable() {
        for text in ["4,,0", "4,R2", "R0,4", "4,R0,R1", "4,T0,R1", "4,X1", "-1", "4,x"] {
            #expect(HistoryText.decode(text) == nil, "\(text)")
        }
    }
}
