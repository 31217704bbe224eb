public import Game

/// How the SQL stores write a game's history in one text column: the moves as cell indices,
/// comma-separated, then `R0` or `R1` when the first or second seat resigned (`0,4,8,R1`). A
/// history without a resignation reads as it always did.
public enum HistoryText {
    public static func encode(_ state: GameState) -> String {
        var parts = state.moves.map(String.init)
        if let resigned = state.resigned { parts.append("R\(resigned.rawValue)") }
        return parts.joined(separator: ",")
    }

    /// The moves and the resigned seat; `nil` for text that is neither.
    public static func decode(_ text: String) -> (moves: [Int], resigned: Seat?)? {
        guard !text.isEmpty else { return ([], nil) }
        var moves: [Int] = []
        var resigned: Seat?
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            if resigned == nil, let move = Int(part), move >= 0 {
                moves.append(move)
            } else if resigned == nil, part.hasPrefix("R"), let number = Int(part.dropFirst()), let seat = Seat(rawValue: number) {
                resigned = seat
            } else {
                return nil
            }
        }
        return (moves, resigned)
    }
}
