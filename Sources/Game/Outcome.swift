/// Where a game stands.
public enum Outcome: Hashable, Sendable {
    case playing(next: Seat)
    /// `line` holds the cells of the completed run, in board order (empty when the other player
    /// resigned or ran out of time). Under ``Rule/misere`` the winner is the player who did *not* complete it.
    case won(winner: Seat, line: [Int])
    case draw

    public var isOver: Bool {
        if case .playing = self { return false }
        return true
    }

    public var nextSeat: Seat? {
        if case .playing(let next) = self { return next }
        return nil
    }
}
