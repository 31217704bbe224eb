/// Why a move was refused. Refusing a move never changes the game.
public enum MoveError: Error, Hashable, Sendable {
    case outsideBoard(index: Int, cellCount: Int)
    case cellTaken(index: Int, by: Seat)
    case gameOver(Outcome)
    case notYourTurn(next: Seat)
}
