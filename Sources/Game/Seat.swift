/// One of the two players, by turn order: `.first` always makes the first move.
///
/// Which symbol a seat shows ("X", "O", …) is a presentation choice made by the configuration.
public enum Seat: Int, Hashable, Sendable, CaseIterable {
    case first = 0
    case second = 1

    public var opponent: Seat { self == .first ? .second : .first }
}
