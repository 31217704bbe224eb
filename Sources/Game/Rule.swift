/// What completing a line means.
public enum Rule: String, Hashable, Sendable, CaseIterable {
    /// The player who completes a line wins.
    case standard
    /// The player who completes a line loses (misère).
    case misere
}
