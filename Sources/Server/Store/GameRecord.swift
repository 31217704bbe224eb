public import Config
public import Game

/// A stored game: its state plus how it is played.
public struct GameRecord: Hashable, Sendable {
    public let id: GameID
    public var state: GameState
    public let opponent: OpponentKind
    /// The seat the computer plays in a game against the computer.
    public let computerSeat: Seat
    /// The game started by asking for a rematch of this one.
    public var rematchID: GameID?

    public init(id: GameID, state: GameState, opponent: OpponentKind, computerSeat: Seat, rematchID: GameID? = nil) {
        self.id = id
        self.state = state
        self.opponent = opponent
        self.computerSeat = computerSeat
        self.rematchID = rematchID
    }

    public var version: Int { state.version }
}
