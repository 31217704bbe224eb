/// A game ended off the board: the seat named lost, whatever the board showed.
public enum Forfeit: Hashable, Sendable {
    /// The seat gave up.
    case resigned(Seat)
    /// The seat let its turn clock run out.
    case timedOut(Seat)

    /// The seat that lost.
    public var seat: Seat {
        switch self {
        case .resigned(let seat), .timedOut(let seat): seat
        }
    }

    public var resigned: Seat? {
        if case .resigned(let seat) = self { return seat }
        return nil
    }

    public var timedOut: Seat? {
        if case .timedOut(let seat) = self { return seat }
        return nil
    }
}
