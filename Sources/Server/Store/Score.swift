public import Game

/// The results of the games played so far in a chain of rematches: wins of each seat's symbol
/// and draws. The first seat always plays the first symbol, so counting by seat is counting by
/// symbol, whoever holds the seat (online players swap seats at each rematch).
public struct Score: Hashable, Sendable {
    public var firstWins = 0
    public var secondWins = 0
    public var draws = 0

    public init(firstWins: Int = 0, secondWins: Int = 0, draws: Int = 0) {
        self.firstWins = firstWins
        self.secondWins = secondWins
        self.draws = draws
    }

    /// This score with `outcome` counted, if the game is over.
    public func counting(_ outcome: Outcome) -> Score {
        var score = self
        switch outcome {
        case .won(let winner, _):
            if winner == .first { score.firstWins += 1 } else { score.secondWins += 1 }
        case .draw:
            score.draws += 1
        case .playing:
            break
        }
        return score
    }
}
