/// How well the computer plays.
public enum Level: String, Hashable, Sendable, CaseIterable {
    /// Mostly random: takes a win only half the time and never blocks, so a child can beat it.
    case easy
    /// Takes immediate wins, blocks immediate losses and otherwise looks two moves ahead.
    case normal
    /// Never loses where the board can be solved (see ``Solver/canSolve(_:rule:)``); elsewhere searches
    /// as deep as its time budget allows.
    case perfect
}
