public import Game

/// How the SQL stores write a game's history in one text column: the moves as cell indices,
/// comma-separated, then `R0`/`R1` when the first or second seat resigned, or `T0`/`T1` when its
/// turn clock ran out (`0,4,8,R1`). A history without a forfeit reads as it always did.
public enum HistoryText {
    public static func encode(_ state: GameState) -> String {
        var parts = state.moves.map(String.init)
        switch state.forfeit {
        case .resigned(let seat): parts.append("R\(seat.rawValue)")
        case .timedOut(let seat): parts.append("T\(seat.rawValue)")
        case nil: break
        }
        return parts.joined(separator: ",")
    }

    /// The moves and the forfeit; `nil` for text that is neither.
    public static func decode(_ text: String) -> (moves: [Int], forfeit: Forfeit?)? {
        guard !text.isEmpty else { return ([], nil) }
        var moves: [Int] = []
        var forfeit: Forfeit?
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard forfeit == nil else { return nil }
            if let move = Int(part), move >= 0 {
                moves.append(move)
            } else if let kind = part.first, let number = Int(part.dropFirst()), let seat = Seat(rawValue: number) {
                switch kind {
                case "R": forfeit = .resigned(seat)
                case "T": forfeit = .timedOut(seat)
                default: return nil
                }
            } else {
                return nil
            }
        }
        return (moves, forfeit)
    }
}
