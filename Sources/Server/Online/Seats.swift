public import Game

/// Who holds the seats of an online game, by the hash of each seat's token. A `nil` seat is open:
/// the next explicit claim takes it.
public struct Seats: Hashable, Sendable {
    public var first: TokenHash?
    public var second: TokenHash?

    public init(first: TokenHash? = nil, second: TokenHash? = nil) {
        self.first = first
        self.second = second
    }

    public subscript(seat: Seat) -> TokenHash? {
        get { seat == .first ? first : second }
        set { if seat == .first { first = newValue } else { second = newValue } }
    }

    /// The seat `hash` holds, if any.
    public func seat(of hash: TokenHash) -> Seat? {
        first == hash ? .first : second == hash ? .second : nil
    }

    /// The seat a claim takes: the first one still open.
    public var open: Seat? {
        first == nil ? .first : second == nil ? .second : nil
    }

    public var takenCount: Int { (first == nil ? 0 : 1) + (second == nil ? 0 : 1) }

    /// The same people in each other's seats: a rematch lets the other one start.
    public var swapped: Seats { Seats(first: second, second: first) }
}
