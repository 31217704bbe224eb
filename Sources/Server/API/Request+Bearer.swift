import Game
import Hummingbird

extension Request {
    /// The seat token in `Authorization: Bearer <token>`. Tokens travel only in this header: never
    /// in URLs, which end up in logs, histories and link previews.
    var bearer: Bearer {
        guard let header = headers[.authorization] else { return .none }
        let parts = header.split(separator: " ")
        guard parts.count == 2, parts[0].lowercased() == "bearer", let token = SeatToken(String(parts[1])) else { return .malformed }
        return .token(token)
    }
}

extension GameRecord {
    /// The seat `token` holds in this online game, if any.
    func seat(heldBy token: SeatToken?) -> Seat? {
        guard let token, let seats else { return nil }
        return seats.seat(of: token.hash)
    }
}
